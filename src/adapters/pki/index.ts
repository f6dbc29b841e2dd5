export {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  type PemPair,
} from "./certificates.js";
