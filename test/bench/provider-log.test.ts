/**
 * The bench's reader of Terraform's log (bench/lib/provider-log.ts): the
 * provider's own lines reach the log in Terraform's form when Terraform
 * parses them as hclog JSON, and as written otherwise; the processes, their
 * Shutdown and their RPCs are read from either. (Reading only the JSON form
 * left section 5 of `npm run bench` with no Shutdown and no ReadResource
 * once Terraform relayed the provider's lines in its own form.)
 */
import { providerMessage, providerProcesses } from '../../bench/lib/provider-log';

const PLUGIN =
  '.terraform/providers/alooma-cdktf.invalid/alooma/alooma/0.1.0/linux_amd64/terraform-provider-alooma_v0.1.0';

/** One process's lines as Terraform 1.11 writes them, the provider's in Terraform's form. */
const RELAYED = [
  `2026-12-01T00:47:57.415Z [DEBUG] provider: starting plugin: path=${PLUGIN} args=["${PLUGIN}"]`,
  `2026-12-01T00:47:57.415Z [DEBUG] provider: plugin started: path=${PLUGIN} pid=14880`,
  `2026-12-01T00:47:57.786Z [DEBUG] provider.terraform-provider-alooma_v0.1.0: plugin: serving: socket=/tmp/p/plugin.sock protocol=6 @module=terraform-provider-alooma timestamp=2026-12-01T00:47:57.785Z`,
  `2026-12-01T00:47:57.790Z [DEBUG] provider: using plugin: version=6`,
  `2026-12-01T00:47:57.803Z [TRACE] provider.terraform-provider-alooma_v0.1.0: rpc: ReadResource: type_name=alooma_input @module=terraform-provider-alooma timestamp=2026-12-01T00:47:57.803Z`,
  `2026-12-01T00:47:57.804Z [DEBUG] provider.terraform-provider-alooma_v0.1.0: structure read: inputs=1000 @module=terraform-provider-alooma timestamp=2026-12-01T00:47:57.804Z`,
  `2026-12-01T00:47:57.805Z [TRACE] provider.terraform-provider-alooma_v0.1.0: rpc: ReadResource done: @module=terraform-provider-alooma ms=1 timestamp=2026-12-01T00:47:57.805Z`,
  `2026-12-01T00:47:57.806Z [TRACE] provider.terraform-provider-alooma_v0.1.0: rpc: ReadResource: @module=terraform-provider-alooma timestamp=2026-12-01T00:47:57.806Z`,
  `2026-12-01T00:47:57.829Z [DEBUG] provider.terraform-provider-alooma_v0.1.0: plugin: Shutdown received; exiting: @module=terraform-provider-alooma timestamp=2026-12-01T00:47:57.825Z`,
  `2026-12-01T00:47:57.849Z [INFO]  provider: plugin process exited: plugin=${PLUGIN} id=14880`,
].join('\n');

test('GIVEN the provider lines in Terraform form WHEN read THEN the process, its RPCs, its structure read and its Shutdown are found', () => {
  expect(providerProcesses(RELAYED)).toEqual([
    {
      pid: 14880,
      startToHandshakeMs: 375,
      shutdownToExitMs: 20,
      lifetimeMs: 434,
      rpcs: { ReadResource: 2 },
      structureReads: 1,
    },
  ]);
});

test('GIVEN a provider line as written (hclog JSON) WHEN read THEN its message is found as in Terraform form', () => {
  const json =
    '2026-12-01T00:47:57.803Z [TRACE] provider.terraform-provider-alooma_v0.1.0: {"@level":"trace","@message":"rpc: ReadResource","@module":"terraform-provider-alooma"}';
  expect(providerMessage(json)).toBe('rpc: ReadResource');
  expect(providerMessage(RELAYED.split('\n')[8])).toBe('plugin: Shutdown received; exiting');
  expect(providerMessage(RELAYED.split('\n')[0])).toBeUndefined();
});
