import { TerraformVariable, TerraformVariableConfig } from './private/core';
import { Construct } from 'constructs';

/**
 * A Terraform input variable with `ephemeral = true` (Terraform 1.10+): its
 * value is never written to the plan or state. cdktf 0.21's
 * `TerraformVariable` has no `ephemeral` option, so this sets it with an
 * override. Pass its value to {@link AloomaSecret.fromTerraform} with
 * `{ ephemeral: true, version }`: the version is the rotation signal, since
 * nothing can detect a change of an ephemeral value.
 *
 * @example
 * const pw = ephemeralVariable(stack, 'db_password', { type: 'string' });
 * password: AloomaSecret.fromTerraform(pw.stringValue, { ephemeral: true, version: '1' })
 */
export function ephemeralVariable(
  scope: Construct,
  id: string,
  config: TerraformVariableConfig = {},
): TerraformVariable {
  const variable = new TerraformVariable(scope, id, { sensitive: true, ...config });
  variable.addOverride('ephemeral', true);
  return variable;
}
