/**
 * The entry of the CLI's start-up snapshot that `cli-snapshot.ts` measures (a probe, not shipped). Run by
 * `node --build-snapshot`, it evaluates the modules a `bytedrop upload` loads (the upload command, the AWS SDK's
 * client and commands, lib-storage, the type sniffers) and nothing that reads the user's environment; run from the
 * snapshot, it puts a program name back into argv (a snapshot's argv has none) and starts the CLI, whose own module
 * reads argv, env, cwd and stdio then, not at build time.
 *
 * Nothing here may call crypto.randomUUID: Node fills a pool of random bytes on the first call, and the snapshot
 * would keep it, so every run would draw the same ids (checked: two runs printed the same UUID).
 */
import { startupSnapshot } from 'node:v8';
import { loadS3Commands, loadSniffers, loadUpload } from '../../packages/core/src/_load.lazy';

if (startupSnapshot.isBuildingSnapshot()) {
  Promise.all([
    import('../../packages/core/src/node/cli/upload'),
    loadS3Commands(),
    loadUpload(),
    loadSniffers(),
  ]).catch((error: unknown) => {
    // The builder would write a snapshot without them: fail the build instead.
    console.error(error);
    process.exit(1);
  });
  startupSnapshot.setDeserializeMainFunction(() => {
    process.argv.splice(1, 0, 'bytedrop');
    void import('../../packages/core/src/node/cli');
  });
}
