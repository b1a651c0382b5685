/**
 * Installing the Alooma provider with no registry, no network and no CLI
 * configuration: the package in Terraform's implied local mirror, its `h1:`
 * hash, the lock file entry, the synth hook for stacks and the HCL users
 * declare. Imports neither CDK core.
 */
export * from './address';
export * from './errors';
export * from './hash';
export * from './hcl';
export * from './installer';
export * from './lock-file';
export * from './package';
export * from './synth';
