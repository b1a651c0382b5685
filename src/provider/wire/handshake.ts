/**
 * go-plugin's handshake, as Terraform performs it with a provider.
 *
 * Terraform starts the provider with the magic cookie, the protocol
 * versions it speaks and its client certificate in the environment; the
 * provider answers with ONE line on stdout:
 * `<core version>|<app protocol>|unix|<socket>|grpc|<server certificate>`.
 */

/** The environment variable that proves Terraform started the process. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
/** Its value: Terraform's, the same for every provider. */
export const MAGIC_COOKIE_VALUE =
  'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** go-plugin's core protocol version (the first field of the handshake line). */
export const CORE_PROTOCOL_VERSION = 1;
/** The one plugin protocol this provider speaks. */
export const PLUGIN_PROTOCOL_VERSION = 6;

/** What the environment says, when Terraform started the process. */
export interface HandshakeRequest {
  /** The client certificate (PEM) to trust for mTLS. */
  readonly clientCertificatePem: string;
}

/** Why the process refuses to serve, and how a person should read it. */
export class HandshakeRefused extends Error {
  constructor(
    /** Stable error code. */
    readonly code: 'not_started_by_terraform' | 'protocol_version' | 'no_client_certificate',
    message: string,
  ) {
    super(message);
    this.name = 'HandshakeRefused';
  }
}

/**
 * Reads the handshake environment. Throws {@link HandshakeRefused} when the
 * process was not started by Terraform (no magic cookie), when Terraform
 * offers no protocol 6, or when it sent no client certificate (this provider
 * only serves over mTLS).
 */
export function readHandshake(env: NodeJS.ProcessEnv, name: string): HandshakeRequest {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new HandshakeRefused(
      'not_started_by_terraform',
      `${name} is a Terraform provider plugin: Terraform starts it, it is not run by hand. ` +
        `Use it from a Terraform configuration (required_providers) and run terraform or cdktf.`,
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PLUGIN_PROTOCOL_VERSION))
    .split(',')
    .map((v) => v.trim());
  if (!offered.includes(String(PLUGIN_PROTOCOL_VERSION))) {
    throw new HandshakeRefused(
      'protocol_version',
      `${name} speaks plugin protocol ${PLUGIN_PROTOCOL_VERSION}; this Terraform offers ${offered.join(', ') || 'none'}. ` +
        'Use Terraform 1.11 or newer.',
    );
  }
  const clientCertificatePem = env.PLUGIN_CLIENT_CERT ?? '';
  if (!clientCertificatePem.includes('BEGIN CERTIFICATE')) {
    throw new HandshakeRefused(
      'no_client_certificate',
      `${name} serves only over mutual TLS and Terraform sent no client certificate (PLUGIN_CLIENT_CERT). ` +
        'Do not set TF_DISABLE_PLUGIN_TLS.',
    );
  }
  return { clientCertificatePem };
}

/** The handshake line (without its newline) for a server on `socketPath` with certificate `certificateDer`. */
export function handshakeLine(socketPath: string, certificateDer: Uint8Array): string {
  // go-plugin reads the certificate as base64 without `=` padding (RawStdEncoding)
  const cert = Buffer.from(certificateDer).toString('base64').replace(/=+$/, '');
  return [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, 'unix', socketPath, 'grpc', cert].join(
    '|',
  );
}
