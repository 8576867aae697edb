// Checks deploy/k8s offline: every manifest parses and validates against the
// Kubernetes API schemas (kubernetes-models, generated from the Kubernetes
// OpenAPI spec, pinned in package-lock.json), the kustomize overlays render,
// and the serving and batch objects keep the properties docs/operations.md
// relies on (replicas, gRPC probes, non-root, read-only root, sharding...),
// and deploy/Dockerfile agrees with them.
// Usage: node validate_manifests.mjs REPO_ROOT
// Exit 0 all good, 1 a check failed, 77 the npm packages are not installed
// (scripts/install-test-tools.sh) and SEEALSO_REQUIRE_DEPLOY_CHECKS is unset.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../.."));
const k8s = join(root, "deploy/k8s");

let YAML;
try {
  YAML = await import("yaml");
  await import("kubernetes-models/v1");
} catch {
  const msg = "npm packages missing: run bash scripts/install-test-tools.sh";
  if (process.env.SEEALSO_REQUIRE_DEPLOY_CHECKS) {
    console.error(msg);
    process.exit(1);
  }
  console.log(`SKIP: ${msg}`);
  process.exit(77);
}

const failures = [];
let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) failures.push(what);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function parseAll(text, where) {
  const docs = YAML.parseAllDocuments(text);
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${where}: ${d.errors[0].message}`);
  }
  return docs.map((d) => d.toJS()).filter((o) => o != null);
}

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; "v1" -> ".../v1".
async function validateObject(obj, where) {
  const name = `${where}: ${obj.kind}/${obj.metadata?.name ?? obj.metadata?.generateName}`;
  let mod;
  try {
    mod = await import(`kubernetes-models/${obj.apiVersion}`);
  } catch {
    check(false, `${name}: unknown apiVersion ${obj.apiVersion}`);
    return;
  }
  const Model = mod[obj.kind];
  check(Model !== undefined, `${name}: unknown kind ${obj.kind} in ${obj.apiVersion}`);
  if (!Model) return;
  try {
    new Model(obj).validate();
    check(true, name);
  } catch (e) {
    check(false, `${name}: ${e.message}`);
  }
}

// --- 1. Every YAML file parses; every API object validates. ---------------
const generatorFiles = new Set();
const patchFiles = new Set(); // partial objects: checked once rendered
const kustomizations = [];
const rawObjects = [];
for (const file of walk(k8s).filter((f) => /\.ya?ml$/.test(f))) {
  const rel = relative(root, file);
  let docs;
  try {
    docs = parseAll(readFileSync(file, "utf8"), rel);
  } catch (e) {
    check(false, `parse: ${e.message}`);
    continue;
  }
  for (const doc of docs) {
    if (doc.kind === "Kustomization") {
      kustomizations.push(file);
      for (const g of doc.configMapGenerator ?? []) {
        for (const f of g.files ?? []) generatorFiles.add(join(dirname(file), f.split("=").pop()));
      }
      for (const p of doc.patches ?? []) if (p.path) patchFiles.add(join(dirname(file), p.path));
    } else if (doc.apiVersion && doc.kind) {
      rawObjects.push({ obj: doc, where: rel });
    } else {
      rawObjects.push({ obj: null, where: rel });
    }
  }
}
for (const { obj, where } of rawObjects) {
  if (patchFiles.has(join(root, where))) continue;
  if (obj) await validateObject(obj, where);
  else check(generatorFiles.has(join(root, where)), `${where}: neither an API object nor a ConfigMap generator file`);
}
// Generator files hold seealso configuration: plain YAML mappings.
for (const f of generatorFiles) {
  check(existsSync(f), `${relative(root, f)}: listed by a configMapGenerator but missing`);
}

// --- 2. Kustomizations render. ---------------------------------------------
// A small structural renderer (always): resources resolve, generator files
// exist, patches and image overrides name objects that exist. It applies no
// patch; kubectl's kustomize, when installed, renders for real below.
function renderLite(dir) {
  const k = parseAll(readFileSync(join(dir, "kustomization.yaml"), "utf8"), dir)[0];
  const objects = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    if (!existsSync(p)) {
      check(false, `${relative(root, dir)}: resource ${r} does not exist`);
    } else if (statSync(p).isDirectory()) {
      objects.push(...renderLite(p));
    } else {
      objects.push(...parseAll(readFileSync(p, "utf8"), p));
    }
  }
  for (const g of k.configMapGenerator ?? []) {
    const exists = objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === g.name);
    check((g.behavior === "replace" || g.behavior === "merge") === exists,
      `${relative(root, dir)}: configMapGenerator ${g.name} behavior ${g.behavior ?? "create"}`);
    if (!exists) objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name }, data: {} });
  }
  const find = (kind, name) => objects.some((o) => o.kind === kind && o.metadata?.name === name);
  for (const p of k.patches ?? []) {
    const target = p.target ?? parseAll(readFileSync(join(dir, p.path), "utf8"), p.path)[0];
    const kind = target.kind, name = target.name ?? target.metadata?.name;
    check(find(kind, name), `${relative(root, dir)}: patch targets missing ${kind}/${name}`);
  }
  const images = JSON.stringify(objects);
  for (const i of k.images ?? []) {
    check(images.includes(`"image":"${i.name}:`) || images.includes(`"image":"${i.name}"`),
      `${relative(root, dir)}: images entry ${i.name} matches no container`);
  }
  return objects;
}

let rendered = null; // objects of the example overlay, rendered by kubectl
for (const file of kustomizations) {
  const dir = dirname(file);
  renderLite(dir);
  let kubectl = null;
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    kubectl = "kubectl";
  } catch {
    console.log(`note: kubectl not installed, ${relative(root, dir)} checked structurally only`);
  }
  if (!kubectl) continue;
  let out;
  try {
    out = execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    check(false, `kubectl kustomize ${relative(root, dir)}: ${e.stderr}`);
    continue;
  }
  const objects = parseAll(out, dir);
  for (const o of objects) await validateObject(o, `rendered ${relative(root, dir)}`);
  if (dir.endsWith("overlays/example")) rendered = objects;
}

// --- 3. Properties the operations guide relies on. -------------------------
const base = renderLite(join(k8s, "base"));
const jobsDir = join(k8s, "jobs");
const jobs = walk(jobsDir).flatMap((f) => parseAll(readFileSync(f, "utf8"), f));
const all = [...base, ...jobs];
const one = (kind, pred = () => true) => all.filter((o) => o.kind === kind && pred(o));

function podSpec(o) {
  if (o.kind === "CronJob") return o.spec.jobTemplate.spec.template.spec;
  return o.spec.template.spec;
}
function podLabels(o) {
  if (o.kind === "CronJob") return o.spec.jobTemplate.spec.template.metadata.labels;
  return o.spec.template.metadata.labels;
}
const matches = (selector, labels) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

for (const o of [...one("Deployment"), ...one("Job"), ...one("CronJob")]) {
  const spec = podSpec(o);
  const name = `${o.kind}/${o.metadata.name ?? o.metadata.generateName}`;
  check(spec.securityContext?.runAsNonRoot === true, `${name}: runAsNonRoot`);
  check(spec.automountServiceAccountToken === false, `${name}: no service account token`);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    check(sc.readOnlyRootFilesystem === true, `${name}/${c.name}: readOnlyRootFilesystem`);
    check(sc.allowPrivilegeEscalation === false, `${name}/${c.name}: allowPrivilegeEscalation false`);
    check(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory,
      `${name}/${c.name}: cpu and memory requests, memory limit`);
    check(/^registry\.example\.com\/seealso(-snapshot)?:/.test(c.image), `${name}/${c.name}: image ${c.image}`);
  }
  // Every referenced ConfigMap and claim is defined by the base.
  for (const v of spec.volumes ?? []) {
    if (v.configMap) check(one("ConfigMap", (m) => m.metadata.name === v.configMap.name).length === 1, `${name}: ConfigMap ${v.configMap.name}`);
    if (v.persistentVolumeClaim) check(one("PersistentVolumeClaim", (m) => m.metadata.name === v.persistentVolumeClaim.claimName).length === 1, `${name}: PVC ${v.persistentVolumeClaim.claimName}`);
  }
}

const [deploy] = one("Deployment");
check(deploy.spec.replicas >= 3, "Deployment: at least 3 replicas");
check(deploy.spec.strategy.rollingUpdate.maxUnavailable === 0, "Deployment: rollout keeps capacity (maxUnavailable 0)");
const server = deploy.spec.template.spec.containers.find((c) => c.name === "seealso");
check(server !== undefined, "Deployment: container seealso");
for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
  check(server[probe]?.grpc?.port === 50051 && server[probe].grpc.service === undefined,
    `Deployment: ${probe} is a native gRPC probe of the overall health status on 50051`);
}
check(JSON.stringify(server.args) === JSON.stringify(["--index", "/snapshot/index.seealso", "--config",
  "/etc/seealso/seealso.yaml", "--listen", "0.0.0.0:50051"]), `Deployment: serve args ${server.args}`);
check(server.ports.some((p) => p.containerPort === 9464), "Deployment: metrics port 9464");
check(server.volumeMounts.find((m) => m.mountPath === "/snapshot")?.readOnly === true, "Deployment: snapshot mounted read-only");
const labels = deploy.spec.template.metadata.labels;
check(matches(deploy.spec.selector.matchLabels, labels), "Deployment: selector matches its pods");

const services = one("Service");
const headless = services.filter((s) => s.spec.clusterIP === "None");
check(headless.length === 1 && headless[0].spec.publishNotReadyAddresses !== true, "one headless Service, ready pods only");
check(services.some((s) => (s.spec.type ?? "ClusterIP") === "ClusterIP" && s.spec.clusterIP !== "None"), "a ClusterIP Service");
for (const s of services) {
  check(matches(s.spec.selector, labels), `Service/${s.metadata.name}: selects the serving pods`);
  check(s.spec.ports.some((p) => p.port === 50051 && p.targetPort === "grpc"), `Service/${s.metadata.name}: grpc port`);
}
const [hpa] = one("HorizontalPodAutoscaler");
check(hpa?.spec.scaleTargetRef.name === deploy.metadata.name && hpa.spec.minReplicas >= 3, "HPA: targets the Deployment, min 3");
const [pdb] = one("PodDisruptionBudget");
check(pdb && matches(pdb.spec.selector.matchLabels, labels), "PDB: selects the serving pods");

const [job] = one("Job");
const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
check(job.spec.completionMode === "Indexed", "Job: Indexed");
check(String(job.spec.completions) === env.SHARDS, "Job: completions == SHARDS");
check(job.spec.template.spec.containers[0].args[0].includes('--shard "$JOB_COMPLETION_INDEX/$SHARDS"'), "Job: links --shard $JOB_COMPLETION_INDEX/$SHARDS");
check(!job.spec.template.spec.containers[0].args[0].includes("$("), "Job: no $( in args (Kubernetes expands it)");

const [cron] = one("CronJob");
const script = podSpec(cron).containers[0].args[0];
const checkAt = script.indexOf("--check");
const regenAt = script.search(/seealso regen [^\n]*--k "\$K"\n/);
check(checkAt > 0 && regenAt > checkAt, "CronJob: regen --check runs before regen");
check(cron.spec.concurrencyPolicy === "Forbid", "CronJob: no overlapping runs");

if (rendered) {
  const d = rendered.find((o) => o.kind === "Deployment");
  check(d.metadata.namespace === "seealso-prod" && d.spec.replicas === 4, "overlay: namespace and replicas patched");
  check(d.spec.template.spec.initContainers[0].image === "registry.example.com/seealso-snapshot:2026-11-25.1", "overlay: snapshot tag");
  const cm = rendered.find((o) => o.kind === "ConfigMap");
  check(cm.metadata.name === "seealso-config" && cm.data["seealso.yaml"].includes("same_subject_boost: 1.2"), "overlay: config replaced");
}

// --- 4. The image agrees with the manifests. --------------------------------
const dockerfile = readFileSync(join(root, "deploy/Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
check(froms.length === 2 && froms.every((f) => f === "debian:bookworm-slim"), `Dockerfile: two bookworm-slim stages, got ${froms}`);
check(/install-deps\.sh build\b/.test(dockerfile) && /install-deps\.sh runtime\b/.test(dockerfile),
  "Dockerfile: both stages install through scripts/install-deps.sh");
const user = dockerfile.match(/^USER (\d+):(\d+)/m);
check(user && user[1] !== "0" && Number(user[1]) === deploy.spec.template.spec.securityContext.runAsUser,
  "Dockerfile: numeric non-root USER equal to the pods' runAsUser");
check(/^ENTRYPOINT \["\/usr\/local\/bin\/seealso", "serve"\]/m.test(dockerfile), "Dockerfile: entrypoint seealso serve");
const cmd = dockerfile.match(/^CMD (\[.*\])/m);
check(cmd && JSON.stringify(JSON.parse(cmd[1])) === JSON.stringify(server.args), "Dockerfile: CMD == the Deployment's args");

for (const f of failures) console.error(`FAIL ${f}`);
console.log(`${checks - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
