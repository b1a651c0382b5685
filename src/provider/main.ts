#!/usr/bin/env node
/**
 * The provider executable (bundled as dist/provider.js): Terraform starts
 * it; by hand it says what it is and exits 1.
 */
import { serveProvider } from './framework';
import { aloomaProvider } from './provider';

serveProvider(aloomaProvider);
