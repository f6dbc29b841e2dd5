export {
  createCertificateAuthority,
  issueServerCertificate,
  type PemPair,
} from "./certificates.js";
