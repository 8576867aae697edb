#!/usr/bin/python3
"""Runs deploy/k8s/jobs/links-indexed.yaml locally as Kubernetes would: its
container script in N parallel processes, each with JOB_COMPLETION_INDEX set
and the Job's env, its volume mount paths mapped to temporary directories
(content = data/sample, config = the base ConfigMap's file), then checks that
the merged /work/links.tsv equals one unsharded `seealso links` run byte for
byte and that the per-run shard directory is gone.

Usage: indexed_job_sim.py SEEALSO_BINARY REPO_ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml


def expand_k8s(text, env):
    """Kubernetes' own expansion of command/args: $(NAME) of a defined
    variable is replaced, $$ is a literal $, anything else is left alone."""
    def repl(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, text)


def main():
    binary, root = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "deploy/k8s/jobs/links-indexed.yaml")) as f:
        job = yaml.safe_load(f)
    spec = job["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    n = spec["completions"]
    assert spec["completionMode"] == "Indexed" and n >= 2, spec

    tmp = tempfile.mkdtemp(prefix="seealso_indexed_job_")
    try:
        # Volume mounts -> local directories.
        config_dir = os.path.join(tmp, "config")
        os.makedirs(config_dir)
        shutil.copy(os.path.join(root, "deploy/k8s/base/seealso.yaml"), config_dir)
        mounts = {"content": os.path.join(root, "data/sample"),
                  "config": config_dir,
                  "work": os.path.join(tmp, "work")}
        os.makedirs(mounts["work"])
        paths = {m["mountPath"]: mounts[m["name"]] for m in container["volumeMounts"]}
        assert set(paths) == {"/content", "/etc/seealso", "/work"}, paths

        # One pass, whole path components only, so no replacement is replaced again.
        mount_re = re.compile("(" + "|".join(map(re.escape, paths)) + r")(?=[/\"\s]|$)")

        def localize(text):
            return mount_re.sub(lambda m: paths[m.group(1)], text)

        # `seealso` on PATH is the binary under test, as in the image.
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(binary), os.path.join(bindir, "seealso"))
        env = {"PATH": bindir + ":/usr/bin:/bin"}
        for e in container["env"]:
            # The downward-API run id (the Job's uid) becomes a fixed string.
            env[e["name"]] = e.get("value", "simulated-job-uid")
        command = [localize(expand_k8s(a, env)) for a in container["command"] + container["args"]]

        procs = []
        for i in range(n):
            procs.append(subprocess.Popen(command, env=dict(env, JOB_COMPLETION_INDEX=str(i)),
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        failed = 0
        for i, p in enumerate(procs):
            out, _ = p.communicate(timeout=240)
            if p.returncode != 0:
                print(f"index {i} exited {p.returncode}:\n{out.decode()}")
                failed += 1

        whole = subprocess.run([binary, "links", "--corpus", mounts["content"],
                                "--config", os.path.join(config_dir, "seealso.yaml"),
                                "--k", env["K"]],
                               check=True, capture_output=True, timeout=240).stdout
        merged_path = os.path.join(mounts["work"], "links.tsv")
        merged = open(merged_path, "rb").read() if os.path.exists(merged_path) else b""
        checks = [
            (failed == 0, f"{n} index processes exit 0"),
            (len(whole.splitlines()) > 100, "the unsharded run lists links"),
            (merged == whole, "merged output == unsharded output, byte for byte"),
            (os.listdir(os.path.join(mounts["work"], "runs")) == [], "the run's shard files are removed"),
        ]
        for ok, what in checks:
            print(("ok   " if ok else "FAIL ") + what)
        bad = sum(not ok for ok, _ in checks)
        print(f"{len(checks) - bad} passed, {bad} failed")
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
