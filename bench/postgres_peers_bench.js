// The peers of bench/postgres_queue_bench.cc on the same PostgreSQL server: pg-boss and
// graphile-worker (installed by scripts/install-pg-peers.sh into .cache/npm), each running the
// same end-to-end workload: `producers` producers (default 1) enqueue N jobs between them
// (pg-boss in batches of 10 with insert(),
// graphile-worker one addJob() at a time as its 0.16 API allows), `consumers` workers take them
// and complete them with a no-op handler. Prints one JSON object per line, like the C++ benchmark:
//   {"bench":"pgboss_e2e_batch10","messages":…,"seconds":…,"messages_per_second":…}
// Usage: node postgres_peers_bench.js --url postgresql://… [--messages N] [--consumers N]
//        [--producers N] [--only pgboss|graphile]
// Every run is bounded by its count and by 120 s.
'use strict';
const path = require('path');
const modules = path.join(__dirname, '..', '.cache', 'npm', 'node_modules');
const PgBoss = require(path.join(modules, 'pg-boss'));
const graphile = require(path.join(modules, 'graphile-worker'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const url = arg('--url', '');
const messages = Number(arg('--messages', '20000'));
const consumers = Number(arg('--consumers', '4'));
const producers = Number(arg('--producers', '1'));
// Producer p's share of the messages.
const share = (p) => Math.floor(messages / producers) + (p < messages % producers ? 1 : 0);
const only = arg('--only', 'all');  // pgboss | graphile | all
if (!url) {
  console.error('postgres_peers_bench: --url postgresql://… is required');
  process.exit(2);
}
const limitMs = 120000;
const body = { payload: 'x'.repeat(200) };
const emit = (o) => console.log(JSON.stringify(o));

async function pgBoss() {
  const boss =
      new PgBoss({connectionString: url, max: consumers + producers + 1, schema: 'pgboss_bench'});
  boss.on('error', (e) => console.error('pg-boss:', e.message));
  await boss.start();
  const queue = 'bench-e2e';
  const start = Date.now();
  const deadline = start + limitMs;
  let consumed = 0;
  const producer = async (p) => {
    for (let sent = 0; sent < share(p) && Date.now() < deadline; sent += 10) {
      const jobs = [];
      for (let i = 0; i < 10 && sent + i < share(p); i++) jobs.push({name: queue, data: body});
      await boss.insert(jobs);
    }
  };
  const consumer = async () => {
    while (consumed < messages && Date.now() < deadline) {
      const jobs = await boss.fetch(queue, 10);
      if (!jobs || jobs.length === 0) {
        await new Promise((r) => setTimeout(r, 5));  // pg-boss has no long poll: its own loop polls
        continue;
      }
      await boss.complete(jobs.map((j) => j.id));
      consumed += jobs.length;
    }
  };
  await Promise.all([
    ...Array.from({length: producers}, (_, p) => producer(p)),
    ...Array.from({length: consumers}, consumer)
  ]);
  const seconds = (Date.now() - start) / 1000;
  emit({
    bench: 'pgboss_e2e_batch10',
    messages: consumed,
    consumers,
    producers,
    seconds,
    messages_per_second: consumed / seconds,
    complete: consumed >= messages
  });
  await boss.stop({ graceful: false, destroy: true });
}

async function graphileWorker() {
  const utils = await graphile.makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  let consumed = 0;
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const runner = await graphile.run({
    connectionString: url,
    concurrency: consumers,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new graphile.Logger(() => () => {}),
    taskList: {
      bench: async () => {
        consumed += 1;
        if (consumed >= messages) resolveDone();
      },
    },
  });
  const start = Date.now();
  const deadline = start + limitMs;
  // Per producer, ten adds in flight at a time, the closest to a batch of ten the API offers.
  const producer = async (p) => {
    for (let sent = 0; sent < share(p) && Date.now() < deadline; sent += 10) {
      const adds = [];
      for (let i = 0; i < 10 && sent + i < share(p); i++) adds.push(utils.addJob('bench', body));
      await Promise.all(adds);
    }
  };
  await Promise.all(Array.from({length: producers}, (_, p) => producer(p)));
  await Promise.race([done, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
  const seconds = (Date.now() - start) / 1000;
  emit({
    bench: 'graphile_worker_e2e',
    messages: consumed,
    consumers,
    producers,
    seconds,
    messages_per_second: consumed / seconds,
    complete: consumed >= messages
  });
  await runner.stop();
  await utils.release();
}

(async () => {
  if (only === 'all' || only === 'pgboss') await pgBoss();
  if (only === 'all' || only === 'graphile') await graphileWorker();
})().catch((e) => {
  console.error('postgres_peers_bench:', e);
  process.exit(1);
});
