import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  App,
  AssetType,
  Aspects,
  IAspect,
  Lazy,
  TerraformAsset,
  TerraformResource,
  TerraformStack,
} from './private/core';
import { Construct, IConstruct } from 'constructs';
import {
  ConnectionSpec,
  InputSpec,
  Manifest,
  MANIFEST_VERSION,
  Subcommand,
} from '../runtime/protocol';
import type { AloomaEngine } from './private/engine';
import * as errors from './errors';
import { RemovalPolicy } from './removal-policy';
import { AloomaSecret, CONNECTION_SECRET_OWNER } from './secret';
import {
  createReconcilerResource,
  inputDestroyProvisioners,
  reconcilerProvisioners,
  ReconcilerResourceSpec,
} from './private/engine';
import { driftTokenOf, liveDiffAspect, LiveDiffParticipant } from './private/live-diff';
import { extractReferences } from './private/references';
import { connectionOf, engineOf } from './private/registry';
import { sha256, stableJson } from './private/render';
import { defaultRuntimeBundle, RUNTIME_BUNDLE_CONTEXT_KEY } from './private/runtime-bundle';
import { TerraformVersionCheck } from './private/terraform-data';

const RECONCILER_BRAND = Symbol.for('alooma-cdktf.AloomaReconciler');

/** Directory under the app's outdir where manifests are staged before the asset copies them. */
export const MANIFEST_STAGING_DIR = '.alooma-cdktf';
/** File name of the manifest, in the staging directory and in the stack's assets. */
export const MANIFEST_FILE_NAME = 'manifest.json';
/**
 * Fixed asset hash of the manifest: its path in the stack stays the same
 * whatever its content, because the content is only final at synth time,
 * after the asset is declared. Changes reach Terraform through the
 * reconciler's digest trigger instead.
 */
const MANIFEST_ASSET_HASH = `v${MANIFEST_VERSION}`;
/**
 * Id prefix of the connection's references. Input names cannot collide with
 * it: an input's references are prefixed by its name, and `connection` ids
 * continue with a field of the connection, never `configuration`.
 */
const CONNECTION_REFERENCE_PREFIX = '@connection';
/** Asset paths are built by cdktf from logical ids and hashes; they must stay shell-inert. */
const SAFE_ASSET_PATH = /^[A-Za-z0-9_./-]+$/;

/** What the reconciler needs from an input construct. */
export interface IManagedInput extends IConstruct {
  /** Name of the input in Alooma. */
  readonly inputName: string;
  /** Whether removing the input from code deletes it in Alooma. */
  readonly removalPolicy: RemovalPolicy;
  /** The per-input Terraform resource. */
  readonly resource: TerraformResource;
  /** The input as the manifest records it. */
  toInputSpec(): InputSpec;
  /** Secrets Terraform supplies, with the variable each reaches the runtime through. */
  terraformSecrets(): Array<{
    readonly env: string;
    readonly path: string;
    readonly secret: AloomaSecret;
  }>;
}

/**
 * The per-stack reconciler of the provisioner engines (`terraform_data`,
 * `null_resource`), declared by the stack's `AloomaConnection` when it
 * chooses one of them (`AloomaReconciler.of(stack)`). A stack of the
 * default engine, the provider, has none: Terraform and the provider do
 * its work.
 *
 * It ships the runtime bundle and the stack's manifest as assets and declares
 * one resource that is replaced whenever the manifest changes: its creation
 * runs `apply` (make Alooma match the manifest), its destruction runs
 * `prune` (delete the inputs the previous apply managed and the new manifest
 * no longer has).
 */
export class AloomaReconciler extends Construct implements LiveDiffParticipant {
  /** Construct id of the reconciler, a direct child of its stack. */
  public static readonly ID = 'AloomaReconciler';

  /**
   * The reconciler of the stack that contains `scope`, created on first
   * use. Throws when the stack's engine is the provider (the default: no
   * connection, or one without `engine`).
   */
  public static of(scope: IConstruct): AloomaReconciler {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(AloomaReconciler.ID);
    if (existing !== undefined) {
      if (AloomaReconciler.isAloomaReconciler(existing)) return existing;
      throw errors.reservedId(existing, AloomaReconciler.ID);
    }
    if (engineOf(stack) === 'provider') {
      throw errors.notOnProviderEngine(
        scope,
        'the stack has no reconciler: Terraform and the provider do its work',
        "Declare an AloomaConnection with engine: 'terraform_data' (or 'null_resource') before the stack's inputs to use the reconciler",
      );
    }
    return new AloomaReconciler(stack);
  }

  /** True when `x` is an {@link AloomaReconciler}. */
  public static isAloomaReconciler(x: unknown): x is AloomaReconciler {
    return x !== null && typeof x === 'object' && RECONCILER_BRAND in x;
  }

  /** The engine of the stack's resources. */
  public readonly engine: AloomaEngine;
  /** The reconciler's Terraform resource. */
  public readonly resource: TerraformResource;
  /** The runtime CLI, shipped with the stack. */
  public readonly runtimeAsset: TerraformAsset;
  /** The manifest, shipped with the stack. */
  public readonly manifestAsset: TerraformAsset;
  /** Absolute path where the manifest is written at synth time, before the asset copies it. */
  public readonly manifestStagingPath: string;
  /** The runtime bundle this stack ships (also run by the synth-time live diff). */
  public readonly runtimeBundlePath: string;

  private readonly stack: TerraformStack;
  private readonly managed: IManagedInput[] = [];
  private readonly commands = new Map<string, string>();
  private readonly resourceSpec: ReconcilerResourceSpec;

  private constructor(stack: TerraformStack) {
    super(stack, AloomaReconciler.ID);
    Object.defineProperty(this, RECONCILER_BRAND, { value: true });
    this.stack = stack;
    const connection = connectionOf(stack);
    // AloomaReconciler.of has checked the engine is a provisioner engine, which only a connection chooses.
    this.engine = engineOf(stack);

    const runtimeBundle = path.resolve(
      this.node.tryGetContext(RUNTIME_BUNDLE_CONTEXT_KEY) ?? defaultRuntimeBundle(),
    );
    if (!fs.existsSync(runtimeBundle)) throw errors.runtimeBundleMissing(this, runtimeBundle);
    this.runtimeBundlePath = runtimeBundle;
    this.runtimeAsset = new TerraformAsset(this, 'Runtime', {
      path: runtimeBundle,
      type: AssetType.FILE,
    });

    this.manifestStagingPath = path.join(
      path.resolve(App.of(stack).outdir),
      MANIFEST_STAGING_DIR,
      stack.node.id,
      MANIFEST_FILE_NAME,
    );
    // TerraformAsset reads the file when declared; the final content is written at synth (see ManifestWriter).
    this.writeManifest();
    this.manifestAsset = new TerraformAsset(this, 'Manifest', {
      path: this.manifestStagingPath,
      type: AssetType.FILE,
      assetHash: MANIFEST_ASSET_HASH,
    });

    const liveDiffParticipants = () =>
      this.node.root.node.findAll().filter(AloomaReconciler.isAloomaReconciler);
    this.resourceSpec = {
      owner: () => this.manifest().owner,
      digest: () => this.digest(),
      references: () => this.inputReferences(),
      connectionReferences: () => this.connectionReferences(),
      names: () => this.deletableNames(),
      drift: () => driftTokenOf(this, liveDiffParticipants),
      secrets: () => this.terraformSecrets(),
      applyCommand: this.command(Subcommand.APPLY),
      reportCommand: this.command(Subcommand.REPORT),
      pruneCommand: this.command(Subcommand.PRUNE),
      provider: connection?.nullProvider,
    };
    this.resource = createReconcilerResource(this, 'Default', this.engine, this.resourceSpec);

    // One lazy list instead of a token per input: creating a token captures a
    // stack trace, which costs ~0.4 ms under ts-node's source maps.
    this.resource.dependsOn = Lazy.listValue({
      produce: () =>
        this.managed.map(
          (input) => `${input.resource.terraformResourceType}.${input.resource.friendlyUniqueId}`,
        ),
    });
    Aspects.of(this).add(new ManifestWriter(this));
    // The live diff's annotations must exist before cdktf collects them.
    Aspects.of(this).add(liveDiffAspect(this, liveDiffParticipants));
    if (this.engine === 'terraform_data') this.node.addValidation(new TerraformVersionCheck(this));
  }

  /** The secrets Terraform supplies to this stack's inputs, by the variable the runtime reads. */
  public terraformSecrets(): Array<{
    env: string;
    label: string;
    value: string;
    ephemeral: boolean;
  }> {
    const apiKey = connectionOf(this.stack)?.terraformApiKey;
    const connection =
      apiKey !== undefined
        ? [
            {
              env: apiKey.toSecretRef(CONNECTION_SECRET_OWNER, 'apiKey').env,
              label: `${CONNECTION_SECRET_OWNER}/apiKey`,
              value: apiKey.terraformValue as string,
              // A new key needs no re-apply: no hash in the triggers.
              ephemeral: true,
            },
          ]
        : [];
    return [
      ...connection,
      ...this.managed.flatMap((input) =>
        input.terraformSecrets().map(({ env, path, secret }) => ({
          env,
          label: `${input.inputName}/${path}`,
          value: secret.terraformValue as string,
          ephemeral: secret.ephemeral,
        })),
      ),
    ].sort((a, b) => compare(a.label, b.label));
  }

  /** The inputs of the stack, in declaration order. */
  public get inputs(): readonly IManagedInput[] {
    return this.managed;
  }

  /**
   * `node <runtime> <subcommand> --manifest <manifest>`. Only asset paths
   * (built by cdktf from logical ids and hashes) and subcommand constants
   * enter a command; input names reach the runtime through the
   * provisioner's `environment`.
   */
  public command(subcommand: (typeof Subcommand)[keyof typeof Subcommand]): string {
    let command = this.commands.get(subcommand);
    if (command === undefined) {
      for (const asset of [this.runtimeAsset, this.manifestAsset]) {
        if (!SAFE_ASSET_PATH.test(asset.path)) {
          throw errors.invalidProperty(
            asset,
            'asset path',
            asset.path,
            'a path of letters, digits and ._-/ (rename the runtime bundle)',
          );
        }
      }
      command = `node ${this.runtimeAsset.path} ${subcommand} --manifest ${this.manifestAsset.path}`;
      this.commands.set(subcommand, command);
    }
    return command;
  }

  /**
   * Registers an input of the stack: it enters the manifest and the
   * reconciler depends on its resource. Called by the input constructs.
   */
  public registerInput(input: IManagedInput): void {
    this.managed.push(input);
  }

  /**
   * The manifest of the stack as it stands now. Terraform references are
   * placeholders in it (see {@link references}): the file is written at synth.
   */
  public manifest(): Manifest {
    return this.render().manifest;
  }

  /**
   * The expressions of the Terraform references of the manifest, by
   * placeholder id (`orders_db/configuration/server`, `connection/apiUrl`).
   * The reconciler hands their values to the runtime at apply.
   */
  public references(): Record<string, unknown> {
    const { inputReferences, connectionReferences } = this.render();
    return { ...inputReferences, ...connectionReferences };
  }

  /** {@link references} of the inputs only (the connection's are {@link connectionReferences}). */
  public inputReferences(): Record<string, unknown> {
    return this.render().inputReferences;
  }

  private render(): {
    manifest: Manifest;
    inputReferences: Record<string, unknown>;
    connectionReferences: Record<string, unknown>;
  } {
    const connection = connectionOf(this.stack);
    const inputReferences: Record<string, unknown> = {};
    const connectionReferences: Record<string, unknown> = {};
    const inputs = this.managed
      .map((input) => input.toInputSpec())
      .sort((a, b) => compare(a.name, b.name))
      .map((spec) => extractReferences(spec, spec.name, inputReferences) as InputSpec);
    const manifest: Manifest = {
      version: MANIFEST_VERSION,
      owner: connection?.owner ?? this.stack.node.id,
      connection: extractReferences(
        connection?.spec ?? {},
        CONNECTION_REFERENCE_PREFIX,
        connectionReferences,
      ) as ConnectionSpec,
      ...(connection?.concurrency === undefined ? {} : { concurrency: connection.concurrency }),
      inputs,
    };
    return { manifest, inputReferences, connectionReferences };
  }

  /** The manifest file's content: sorted keys, inputs sorted by name, byte-identical across synths. */
  public manifestJson(): string {
    return stableJson(this.manifest());
  }

  /** SHA-256 of {@link manifestJson}: the reconciler is replaced (apply re-runs) when it changes. */
  public digest(): string {
    return sha256(this.manifestJson());
  }

  /** Names the stack may delete (inputs without RETAIN), sorted. */
  public deletableNames(): string[] {
    const names = this.managed
      .filter((input) => input.removalPolicy !== RemovalPolicy.RETAIN)
      .map((input) => input.inputName);
    return [...new Set(names)].sort(compare);
  }

  /**
   * Makes the resource's provisioners match the final manifest (references
   * reach them through the environment). Called at synth, by the aspect.
   */
  public finalizeProvisioners(): void {
    this.resource.provisioners = reconcilerProvisioners(this.engine, this.resourceSpec);
    if (Object.keys(this.connectionReferences()).length === 0) return;
    for (const input of this.managed) {
      if (input.removalPolicy === RemovalPolicy.RETAIN) continue;
      input.resource.provisioners = inputDestroyProvisioners(
        this.engine,
        this.command(Subcommand.DELETE),
      );
    }
  }

  /**
   * The connection's Terraform references (URL, account), by placeholder id.
   * Every input's resource carries them too, for its destroy provisioner.
   */
  public connectionReferences(): Record<string, unknown> {
    const references: Record<string, unknown> = {};
    extractReferences(
      connectionOf(this.stack)?.spec ?? {},
      CONNECTION_REFERENCE_PREFIX,
      references,
    );
    return references;
  }

  /** Writes the manifest to its staging path, where the asset copies it from. */
  public writeManifest(): void {
    fs.mkdirSync(path.dirname(this.manifestStagingPath), { recursive: true });
    fs.writeFileSync(this.manifestStagingPath, this.manifestJson());
  }
}

/**
 * Writes the final manifest when aspects run: every synthesis path (App.synth,
 * Testing.synth, Testing.fullSynth) runs them after the app code and before
 * the assets are copied.
 */
class ManifestWriter implements IAspect {
  constructor(private readonly reconciler: AloomaReconciler) {}

  public visit(node: IConstruct): void {
    if (node === this.reconciler) {
      this.reconciler.writeManifest();
      this.reconciler.finalizeProvisioners();
    }
  }
}

/** Orders by UTF-16 code units, independent of the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
