// A throwaway CA and certificates made by openssl at test time (no private key
// is checked in).
#ifndef SEEALSO_TESTS_TEST_CERTIFICATES_H_
#define SEEALSO_TESTS_TEST_CERTIFICATES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace seealso::testing {

// Writes into the existing directory `dir`: ca.pem (with ca.key), a server
// certificate server.pem/server.key for 127.0.0.1 and localhost, and a client
// certificate client.pem/client.key, both signed by the CA. False if openssl
// (a listed Debian package) failed.
inline bool MakeTestCertificates(const std::filesystem::path& dir) {
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const std::string script =
      "cd '" + dir.string() + "' && "
      "openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 1 -subj /CN=seealso-test-ca && "
      "openssl req " + key + " -keyout server.key -out server.csr -subj /CN=localhost && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-extfile server.ext -out server.pem && "
      "openssl req " + key + " -keyout client.key -out client.csr -subj /CN=seealso-client && "
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
      "-out client.pem";
  return std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace seealso::testing

#endif  // SEEALSO_TESTS_TEST_CERTIFICATES_H_
