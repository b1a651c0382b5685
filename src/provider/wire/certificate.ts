/**
 * The provider's TLS identity: a fresh EC P-256 key and a self-signed
 * certificate for `localhost`, made in process for each run (no `openssl`
 * binary needed). Terraform learns the certificate from the handshake line
 * and trusts exactly it, as go-plugin does.
 */
import { webcrypto } from 'node:crypto';
// the Reflect metadata polyfill must load before @peculiar/x509 (its tsyringe checks for it at load)
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** A server certificate and its key, ready for TLS. */
export interface ServerCertificate {
  readonly certificatePem: string;
  readonly certificateDer: Uint8Array;
  readonly privateKeyPem: string;
}

type SelfSignedParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Makes the provider's self-signed server certificate (CA:TRUE, digitalSignature + keyCertSign, DNS localhost). */
export async function makeServerCertificate(now = new Date()): Promise<ServerCertificate> {
  const crypto = webcrypto;
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: 'CN=localhost, O=alooma-cdktf provider',
      // a little slack for clock differences; go-plugin makes its own last 30 years
      notBefore: new Date(now.getTime() - 30_000),
      notAfter: new Date(now.getTime() + 30 * 365 * 24 * 3600 * 1000),
      signingAlgorithm: ALGORITHM,
      keys: keys as unknown as SelfSignedParams['keys'],
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
      ],
    },
    crypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    certificateDer: new Uint8Array(certificate.rawData),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}
