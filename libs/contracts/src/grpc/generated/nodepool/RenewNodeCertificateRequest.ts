// Original file: libs/contracts/proto/nodepool.proto


export interface RenewNodeCertificateRequest {
  /**
   * PEM PKCS#10 request for a new ECDSA P-256 key
   */
  'csr_pem'?: (string);
}

export interface RenewNodeCertificateRequest__Output {
  /**
   * PEM PKCS#10 request for a new ECDSA P-256 key
   */
  'csr_pem': (string);
}
