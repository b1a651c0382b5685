/**
 * `live-diff`: what the constructs run once per app during synth. Reads every
 * stack from stdin (a manifest for the provisioner engines, a
 * {@link ProviderLiveDiffStack} for the `provider` engine), reads the live
 * structure once per connection, and prints JSON ({@link LiveDiffAnswer}):
 * per stack, the report lines, and for a manifest the drift token and the
 * secrets the next deploy needs that the environment lacks, for a provider
 * stack the inputs whose apply would fail. Never fails synth: any problem
 * becomes `{ ok: false, message }`.
 */
import {
  ConnectionSpec,
  isProviderLiveDiffStack,
  LiveDiffAnswer,
  LiveDiffStack,
  MissingSecret,
  ProviderLiveDiffStack,
  StackLiveDiff,
  TERRAFORM_SECRET_ENV_PREFIX,
} from '../protocol';
import { MissingSecretError, resolveSecrets } from '../reconcile/apply';
import { driftToken } from '../reconcile/drift';
import { hasReferences } from '../references';
import { LiveInput, Plan, planManifest } from '../reconcile/plan';
import { liveReportLines } from '../reconcile/report';
import { providerReport } from '../reconcile/provider-report';
import { formatError } from './errors';

/** Reads live state once per distinct connection and reports every stack against it. */
export async function liveDiff(
  requests: readonly LiveDiffStack[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<LiveDiffAnswer> {
  const byConnection = new Map<string, LiveDiffStack[]>();
  const stacks: Record<string, StackLiveDiff> = {};
  const skip = (owner: string, why: string): StackLiveDiff => ({
    token: '',
    lines: [`alooma (${owner}): live diff skipped: ${why}.`],
    inSync: true,
    missingSecrets: [],
  });
  for (const manifest of requests) {
    if (hasReferences(manifest.connection)) {
      // Where Alooma is comes from Terraform: nothing to compare with before apply.
      stacks[manifest.owner] = skip(
        manifest.owner,
        "the connection's URL or account comes from Terraform (resolved at apply)",
      );
      continue;
    }
    if (isProviderLiveDiffStack(manifest) && manifest.state === undefined) {
      stacks[manifest.owner] = skip(
        manifest.owner,
        `${manifest.stateUnread ?? 'the Terraform state cannot be read'}, so adoptions, conflicts and orphans are not reported (Terraform's plan shows drift)`,
      );
      continue;
    }
    const key = connectionKey(manifest.connection, env);
    byConnection.set(key, [...(byConnection.get(key) ?? []), manifest]);
  }
  try {
    let structureReads = 0;
    await Promise.all(
      [...byConnection.values()].map(async (group) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time), as in main.ts
        const { AloomaClient } = require('../client') as typeof import('../client');
        const client = AloomaClient.fromEnv(env, group[0].connection, {
          timeoutMs,
          retry: { retries: 0 },
        });
        const live: LiveInput[] = await client.listInputs();
        structureReads += 1;
        for (const manifest of group) {
          if (isProviderLiveDiffStack(manifest)) {
            stacks[manifest.owner] = providerStackLiveDiff(manifest, live);
            continue;
          }
          const plan = planManifest(manifest, live);
          stacks[manifest.owner] = {
            token: driftToken(plan),
            lines: liveReportLines(plan),
            // as the report: a conflict differs too
            inSync: plan.inputs.every((i) => i.kind === 'unchanged'),
            missingSecrets: missingEnvSecrets(plan, env),
          };
        }
      }),
    );
    return { ok: true, stacks, structureReads };
  } catch (error) {
    return { ok: false, message: formatError(error).replace('\n', ';') };
  }
}

/** A `provider` stack's part of the answer: no drift token (Terraform's refresh does that job). */
function providerStackLiveDiff(stack: ProviderLiveDiffStack, live: LiveInput[]): StackLiveDiff {
  const report = providerReport(stack, live);
  return {
    token: '',
    lines: report.lines,
    inSync: report.quiet,
    missingSecrets: [],
    level: report.level,
    blocked: report.blocked,
  };
}

/**
 * The secrets `plan` writes whose variables `env` does not hold: what would
 * make its apply fail with {@link MissingSecretError}. Secrets from Terraform
 * (AloomaSecret.fromTerraform) are left out: the stack sets them at apply.
 */
export function missingEnvSecrets(plan: Plan, env: NodeJS.ProcessEnv): MissingSecret[] {
  try {
    resolveSecrets(plan, env);
    return [];
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    return error.missing.filter((m) => !m.env.startsWith(TERRAFORM_SECRET_ENV_PREFIX));
  }
}

function connectionKey(connection: ConnectionSpec, env: NodeJS.ProcessEnv): string {
  return JSON.stringify([
    connection.apiUrl ?? env.ALOOMA_API_URL ?? '',
    connection.account ?? env.ALOOMA_ACCOUNT ?? '',
    connection.usernameEnv ?? '',
    connection.passwordEnv ?? '',
    connection.apiKeyEnv ?? '',
  ]);
}

/** Reads all of stdin. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
