import * as fs from 'node:fs';
import * as path from 'node:path';

/** The reference sample nodes (a copy of ../shared/reference/sample-inputs.json, so tests need only the repo). */
export const SAMPLES_FILE = path.resolve(__dirname, '../fixtures/sample-inputs.json');

/** Secret values the tests give the samples, so they can check they never come back. */
export const SAMPLE_SECRETS = {
  password: 'Sample-Pg-Pass-9137',
  session_id: 'Sample-Session-7311',
  oauth2: 'Sample-OAuth-5521',
  awsSecretAccessKey: 'Sample-Aws-Secret-3390',
};

/** The samples as create requests, with secrets filled in where the service requires them. */
export function sampleCreateRequests(): Array<{
  name: string;
  type: string;
  configuration: Record<string, any>;
}> {
  const samples = JSON.parse(fs.readFileSync(SAMPLES_FILE, 'utf8')) as Array<Record<string, any>>;
  return samples.map((s) => {
    const configuration = structuredClone(s.configuration);
    if (s.type === 'ODBC') configuration.password = SAMPLE_SECRETS.password;
    if ('oauth2' in configuration) configuration.oauth2 = SAMPLE_SECRETS.oauth2;
    if ('awsSecretAccessKey' in configuration)
      configuration.awsSecretAccessKey = SAMPLE_SECRETS.awsSecretAccessKey;
    for (const p of configuration.parameters ?? [])
      if (p.parameter === 'session_id') p.value = SAMPLE_SECRETS.session_id;
    return { name: s.name, type: s.type, configuration };
  });
}

/** Creates every sample input in an emulator (validation off, as an import source). */
export async function loadSamples(url: string, apiKey = 'demo-key'): Promise<void> {
  for (const request of sampleCreateRequests()) {
    const res = await fetch(`${url}/rest/inputs?validate=false`, {
      method: 'POST',
      headers: { authorization: `API ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!res.ok) throw new Error(`create ${request.name}: ${res.status} ${await res.text()}`);
  }
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/rest/plumbing/?resolution=1min`, {
      headers: { authorization: `API ${apiKey}` },
    });
    const names = new Set(
      ((await res.json()) as { nodes: Array<{ name: string }> }).nodes.map((n) => n.name),
    );
    if (sampleCreateRequests().every((r) => names.has(r.name))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('samples never appeared in the structure');
}
