/**
 * Provider processes of one Terraform command, read from Terraform's own log
 * (`TF_LOG_PROVIDER=debug` or `trace`, `TF_LOG_PATH=<file>`): go-plugin logs
 * each plugin it starts (`starting plugin`, `plugin started ... pid=N`), the
 * moment it has read the handshake (`using plugin: version=6`) and each exit
 * (`plugin process exited ... id=N`); the provider's own lines (hclog JSON
 * on its stderr, relayed by Terraform) say when `Shutdown` arrived and, at
 * trace level, which RPCs a process served. Terraform relays a line it
 * parses as hclog JSON in its own form (`[TRACE] provider.<binary>: rpc:
 * ReadResource: @module=... timestamp=...`) and any other line as written
 * (the JSON itself, `"@message":"rpc: ReadResource"`): both are read.
 *
 * Times come from the timestamps of those lines (millisecond resolution):
 * start-to-handshake is `starting plugin` to `using plugin` (fork, node
 * start-up, loading the bundle, the mTLS certificate, listening, the
 * handshake line); Shutdown-to-exit is the provider's `Shutdown received` to
 * Terraform's `plugin process exited`.
 */

/** One provider process as the log shows it. */
export interface ProviderProcess {
  readonly pid: number;
  /** `starting plugin` to `using plugin`, ms. */
  readonly startToHandshakeMs: number;
  /** The provider's `Shutdown received` to `plugin process exited`, ms; undefined when no Shutdown was logged. */
  readonly shutdownToExitMs?: number;
  /** `starting plugin` to `plugin process exited`, ms. */
  readonly lifetimeMs: number;
  /** RPC names the process logged (`rpc: <Name>`, trace level only), with counts. */
  readonly rpcs: Readonly<Record<string, number>>;
  /** Structure reads the process logged (`structure read`). */
  readonly structureReads: number;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /;

/** The provider's message in a line as written (hclog JSON). */
const JSON_MESSAGE = /"@message":"([^"]*)"/;
/** The provider's message in a line Terraform relays in its own form: `<message>: key=value ...`. */
const RELAYED_MESSAGE = /\] provider\.terraform-provider-[\w.-]+: (.*?)(?:: [@\w.-]+=|$)/;

/** The provider's own message of a log line, if the line is one. */
export function providerMessage(line: string): string | undefined {
  return JSON_MESSAGE.exec(line)?.[1] ?? RELAYED_MESSAGE.exec(line)?.[1];
}

/**
 * The provider processes of one command's log, in start order. Terraform
 * starts and stops its provider processes one after another (a schema
 * fetch, validation, the plan walk, the apply walk), so events between one
 * `starting plugin` and its exit belong to that process; an overlap is
 * reported as an error rather than guessed.
 */
export function providerProcesses(log: string): ProviderProcess[] {
  const done: ProviderProcess[] = [];
  let current:
    | {
        pid?: number;
        started: number;
        handshake?: number;
        shutdown?: number;
        rpcs: Record<string, number>;
        structureReads: number;
      }
    | undefined;
  for (const line of log.split('\n')) {
    const stamp = TIMESTAMP.exec(line);
    if (!stamp) continue;
    const at = Date.parse(stamp[1]);
    if (line.includes('provider: starting plugin:')) {
      if (current) throw new Error(`a provider started before the previous one exited:\n${line}`);
      current = { started: at, rpcs: {}, structureReads: 0 };
      continue;
    }
    if (!current) continue;
    const pid = /provider: plugin started: .* pid=(\d+)/.exec(line);
    if (pid) current.pid = Number(pid[1]);
    else if (line.includes('provider: using plugin: version=')) current.handshake ??= at;
    else {
      const message = providerMessage(line);
      if (message?.startsWith('plugin: Shutdown received')) current.shutdown ??= at;
      else if (message === 'structure read') current.structureReads++;
      else {
        const rpc = message === undefined ? null : /^rpc: (\w+)$/.exec(message);
        if (rpc) current.rpcs[rpc[1]] = (current.rpcs[rpc[1]] ?? 0) + 1;
      }
    }
    const exited = /provider: plugin process exited: .* id=(\d+)/.exec(line);
    if (exited) {
      if (current.pid !== undefined && current.pid !== Number(exited[1])) {
        throw new Error(`provider ${exited[1]} exited while ${current.pid} was running`);
      }
      if (current.handshake === undefined) throw new Error(`provider ${exited[1]} exited before its handshake`);
      done.push({
        pid: Number(exited[1]),
        startToHandshakeMs: current.handshake - current.started,
        shutdownToExitMs: current.shutdown === undefined ? undefined : at - current.shutdown,
        lifetimeMs: at - current.started,
        rpcs: current.rpcs,
        structureReads: current.structureReads,
      });
      current = undefined;
    }
  }
  if (current) throw new Error(`provider ${current.pid ?? '?'} never exited in the log`);
  return done;
}
