/** Type tests for ReadReplicaRouter: a Router for TerrapinConfig, options checked, request() keeps fn's type. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ReadReplicaRouter, type Router, type TerrapinConfig } from '../../src/index.js';
import { typeOnly } from './support.js';

it('ReadReplicaRouter is a Router, takes only its options and passes request() results through', () => {
  const checks = typeOnly(async () => {
    const router = new ReadReplicaRouter({ primary: 'default', replica: 'replica', retryAfterMs: 1000, log: (line: string) => void line });
    const asRouter: Router = router;
    const config: TerrapinConfig = { connections: { default: 'sqlite://:memory:' }, apps: {}, routers: [asRouter] };
    const count: Promise<number> = router.request(async () => 1);
    const plain: string = router.request(() => 'x');
    // @ts-expect-error replica is required
    new ReadReplicaRouter({ primary: 'default' });
    // @ts-expect-error no such option
    new ReadReplicaRouter({ primary: 'default', replica: 'r', sticky: true });
    return [config, count, plain];
  });
  assert.equal(checks, 1);
});
