/**
 * The Alooma provider's resources: one file per resource type, one
 * implementation underneath (input-resource.ts).
 */
import { databaseInput } from './database-input';
import { genericInput } from './input';
import { mixpanelInput } from './mixpanel-input';
import { restInput } from './rest-input';
import { s3Input } from './s3-input';

export { databaseInput, databaseInputKind } from './database-input';
export { genericInput, genericInputKind } from './input';
export { mixpanelInput, mixpanelInputKind } from './mixpanel-input';
export { restInput, restInputKind } from './rest-input';
export { s3Input, s3InputKind } from './s3-input';
export {
  COMMON_ATTRIBUTES,
  desiredConfiguration,
  fieldOfApiKey,
  inputResource,
  secretsToWrite,
  stateFromLive,
  unattributedConfiguration,
  validateInput,
} from './input-resource';
export type { InputKind, SecretsToWrite } from './input-resource';
export { concurrencyLimit, once } from './provider-data';
export type { AloomaProviderData, InputsClient } from './provider-data';

/** Every resource type of the provider. */
export const INPUT_RESOURCES = [databaseInput, restInput, s3Input, mixpanelInput, genericInput];
