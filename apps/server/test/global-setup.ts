/** Says plainly, once per run, whether the PostgreSQL suites run. */
export default function setup(): void {
  if (process.env.KLAXON_TEST_DATABASE_URL) {
    console.log(`PostgreSQL suites: running against ${process.env.KLAXON_TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}`);
  } else {
    console.log('PostgreSQL suites: SKIPPED (set KLAXON_TEST_DATABASE_URL=postgres://... to run them; .ci/run does)');
  }
}
