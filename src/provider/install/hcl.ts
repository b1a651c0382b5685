/**
 * The `required_providers` entry plain-Terraform users write, printed by
 * `alooma-cdktf provider install` and shown in the README.
 */
import { PROVIDER_TYPE } from './address';
import { providerRequirement } from './installer';

/** The `terraform { required_providers { ... } }` block for the provider of `version`. */
export function requiredProvidersHcl(version: string): string {
  const { source, version: constraint } = providerRequirement(version);
  return [
    'terraform {',
    '  required_version = ">= 1.11"',
    '  required_providers {',
    `    ${PROVIDER_TYPE} = {`,
    `      source  = "${source}"`,
    `      version = "${constraint}"`,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
