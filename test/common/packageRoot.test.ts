import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageRoot, PACKAGE_ROOT } from '../../common/packageRoot.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { tempDir } from '../helpers/tempDir.js';

describe('PACKAGE_ROOT', () => {
  it('is the repository root when the module runs from source', () => {
    expect(PACKAGE_ROOT).toBe(REPO_ROOT);
  });

  it('is found from a compiled module two folders down (dist/<unit>/), where no package.json is', () => {
    // Prepare
    const root = tempDir('package-root');
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'common'), { recursive: true });
    // Act + Assess
    expect(findPackageRoot(join(root, 'dist', 'common'))).toBe(root);
  });

  it('is undefined, not an error, where no folder above has a package.json (a Lambda bundle)', () => {
    expect(findPackageRoot('/')).toBeUndefined();
  });
});
