/**
 * alooma-cdktf constructs: Alooma inputs as code with CDK for Terraform.
 */
export * from './errors';
export * from './removal-policy';
export * from './secret';
export * from './ephemeral-variable';
export * from './connection';
export * from './reconciler';
export * from './input-base';
export * from './database-input';
export * from './input-table';
export * from './rest-input';
export * from './parameter-template';
export * from './input';
export * from './s3-input';
export * from './mixpanel-input';
export type { ConnectionSpec, InputSpec, Manifest, SecretRef } from '../runtime/protocol';
