/**
 * Terraform's built-in `terraform_data` resource, declared through the public
 * `TerraformResource` base.
 *
 * Why not cdktf's `DataResource`: each instance adds a validation that runs
 * `terraform version` (a process spawn, 40-130 ms), so a stack of 1000 inputs
 * spent most of its synth there. Here the attributes are rendered at synth
 * time (tables and parameters added after construction are included) and the
 * version check runs once per stack ({@link TerraformVersionCheck}), cached
 * per process.
 */
import { execFileSync } from 'node:child_process';
import {
  anyToHclTerraform,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
  TerraformMetaArguments,
  TerraformResource,
} from './core';
import { Construct, IConstruct, IValidation } from 'constructs';
import * as errors from '../errors';

/** The attributes of a `terraform_data`, as Terraform names them. */
export interface TerraformDataAttributes {
  /** Stored in state and shown in plans; a change is an in-place update. */
  readonly input?: Readonly<Record<string, unknown>>;
  /** Stored in state; a change replaces the resource. */
  readonly triggers_replace?: Readonly<Record<string, unknown>>;
}

/** A `terraform_data` whose attributes are produced at synth time by `render`. */
export class TerraformData extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'terraform_data';

  private readonly render: () => TerraformDataAttributes;

  constructor(
    scope: Construct,
    id: string,
    render: () => TerraformDataAttributes,
    meta: TerraformMetaArguments = {},
  ) {
    super(scope, id, {
      ...meta,
      terraformResourceType: TerraformData.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'terraform' },
    });
    this.render = render;
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    const attributes = this.render();
    return {
      input: hashMapper(anyToTerraform)(attributes.input),
      triggers_replace: hashMapper(anyToTerraform)(attributes.triggers_replace),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attributes = this.render();
    return {
      input: hashMapperHcl(anyToHclTerraform)(attributes.input),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(attributes.triggers_replace),
    };
  }
}

/** Oldest Terraform with the built-in `terraform_data` resource. */
const TERRAFORM_DATA_MINIMUM: readonly [number, number, number] = [1, 4, 0];

/** What a {@link TerraformVersionCheck} requires. */
export interface TerraformVersionRequirement {
  /** The oldest version that works. */
  readonly minimum: readonly [number, number, number];
  /** What that version brought, for the message ("terraform_data"). */
  readonly feature: string;
  /** How to fix it; default: the terraform_data engine's. */
  readonly fix?: string;
}

const versionResults = new Map<string, string | undefined>();

/**
 * The check cdktf's `DataResource` runs per resource (Terraform >= 1.4 is on
 * the PATH), run once per stack and cached per binary for the process. The
 * provider engine runs it with 1.11 (write-only attributes).
 */
export class TerraformVersionCheck implements IValidation {
  constructor(
    private readonly scope: IConstruct,
    private readonly requirement: TerraformVersionRequirement = {
      minimum: TERRAFORM_DATA_MINIMUM,
      feature: 'terraform_data',
    },
  ) {}

  public validate(): string[] {
    const binary = process.env.TERRAFORM_BINARY_NAME || 'terraform';
    const { minimum, feature, fix } = this.requirement;
    const key = `${binary}\u0000${minimum.join('.')}`;
    if (!versionResults.has(key)) versionResults.set(key, checkVersion(binary, minimum, feature));
    const problem = versionResults.get(key);
    return problem === undefined ? [] : [errors.terraformVersion(this.scope, problem, fix).message];
  }
}

function checkVersion(
  binary: string,
  minimum: readonly [number, number, number],
  feature: string,
): string | undefined {
  let output: string;
  try {
    output = execFileSync(binary, ['version'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No update check over the network: synth must work offline and stay fast.
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      timeout: 30_000,
    }).toString();
  } catch (e) {
    return `could not run "${binary} version": ${(e as Error).message.split('\n')[0]}`;
  }
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!match) return `could not read a version from "${binary} version"`;
  const version = [Number(match[1]), Number(match[2]), Number(match[3])];
  for (let i = 0; i < 3; i++) {
    if (version[i] !== minimum[i]) {
      return version[i] > minimum[i]
        ? undefined
        : `${binary} ${version.join('.')} is older than ${minimum.join('.')}, the first with ${feature}`;
    }
  }
  return undefined;
}
