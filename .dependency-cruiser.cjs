/**
 * The architecture, as rules `npm run lint:layers` checks (dependency-cruiser).
 *
 * Rooms, from the bottom up; arrows only point down:
 *   src/domain      pure product rules (scopes, presets, policy, checklist, reminder plan)
 *   src/blocks      pure Block Kit builders and every Slack id the bot owns (ids.ts)
 *   src/store       Redis repositories; every key in store/keys.ts
 *   src/atlassian   clients of Atlassian's APIs (organization sync), answers validated with zod
 *   src/slack-api   outbound Slack calls shared by listeners and jobs (users, approvers,
 *                   sending, message marks, Home publishing, modals, preflight)
 *   src/jobs        BullMQ: queue (names, ids, enqueue*), processors, worker
 *   src/slack       inbound listeners only, by kind, plus their kit (payload parsing, replies)
 *   src/http        the Slack-facing receiver and the ops endpoints
 *   src/sandbox     the local browser sandbox: emulated Slack Web API (shared with the tests),
 *                   its page and time travel; started by main.ts only
 *   src/app.ts      the composition root; src/main.ts the entry point
 * Cross-cutting leaves (config, logger, metrics, clock, errors) sit at the top of src/.
 */
const room = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import circles.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain imports nothing of the app and no I/O library.',
      from: { path: room('domain') },
      to: { pathNot: [room('domain'), '^node_modules/(dayjs|zod)/', '^(node:)?crypto$'] },
    },
    {
      name: 'blocks-use-domain-only',
      severity: 'error',
      comment: 'src/blocks builds JSON from models: it imports domain, its own ids and @slack/types only.',
      from: { path: room('blocks') },
      to: { pathNot: [room('blocks'), room('domain'), '^node_modules/@slack/types/'] },
    },
    {
      name: 'store-below-slack',
      severity: 'error',
      comment: 'The store knows Redis and the domain, nothing of Slack or jobs.',
      from: { path: room('store') },
      to: { path: [room('slack'), room('slack-api'), room('jobs'), room('http'), room('blocks'), '^src/app\\.ts$'] },
    },
    {
      name: 'slack-api-below-listeners-and-jobs',
      severity: 'error',
      comment: 'Outbound Slack calls are used by listeners and jobs, never the other way round.',
      from: { path: room('slack-api') },
      to: { path: [room('slack'), room('jobs'), room('http'), '^src/app\\.ts$'] },
    },
    {
      name: 'atlassian-is-a-client',
      severity: 'error',
      comment: "src/atlassian calls Atlassian's APIs and validates their answers: it imports the domain (and zod) only.",
      from: { path: room('atlassian') },
      to: { pathNot: [room('atlassian'), room('domain'), '^node_modules/zod/'] },
    },
    {
      name: 'jobs-never-import-listeners',
      severity: 'error',
      from: { path: room('jobs') },
      to: { path: [room('slack'), room('http'), '^src/app\\.ts$'] },
    },
    {
      name: 'listeners-stay-apart',
      severity: 'error',
      comment: 'A listener uses the kit and the rooms below, never another listener file.',
      from: { path: '^src/slack/(commands|actions|views|events)/' },
      to: { path: '^src/slack/(commands|actions|views|events)/' },
    },
    {
      name: 'kit-below-listeners',
      severity: 'error',
      from: { path: '^src/slack/kit/' },
      to: { path: '^src/slack/(commands|actions|views|events)/' },
    },
    {
      name: 'only-main-imports-the-root',
      severity: 'error',
      comment: 'The composition root is imported by the entry point (and tests, benches and the CLI), not by src/.',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/'] },
      to: { path: '^src/(app|main)\\.ts$' },
    },
    {
      name: 'leaves-stay-leaves',
      severity: 'error',
      comment: 'config, logger, metrics, clock and errors are used everywhere, so they import no room above the domain.',
      from: { path: '^src/(config|logger|clock|errors)\\.ts$' },
      to: { path: [room('slack'), room('slack-api'), room('jobs'), room('http'), room('store'), room('blocks')] },
    },
    {
      name: 'sandbox-below-the-root',
      severity: 'error',
      comment:
        'src/sandbox (the offline Slack emulation and its page) uses the rooms below app.ts, but not the root, the entry point, the receiver or the listeners themselves: the bot it runs is composed by main.ts.',
      from: { path: room('sandbox') },
      to: { path: ['^src/(app|main)\\.ts$', room('http'), '^src/slack/'] },
    },
    {
      name: 'only-main-imports-the-sandbox',
      severity: 'error',
      comment: 'The sandbox is started by the entry point only; nothing else in src knows it exists.',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', room('sandbox')] },
      to: { path: room('sandbox') },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
