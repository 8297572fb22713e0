// `cordon watch`, `cordon verdicts`, `cordon baseline show`: bad input is refused naming the flag, before
// anything connects to Temporal; the store commands say which variable to set.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { EXIT, runCli } from './cordon.ts';

let stderr = '';
const connect = vi.fn(async () => {
  throw new Error('must not connect');
});
beforeEach(() => {
  stderr = '';
  connect.mockClear();
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.CORDON_WATCH_DB;
});

it('refuses a malformed watch pass before connecting, naming the field', async () => {
  expect(await runCli(['watch', '--once', '--backfill', 'forever'], { connect })).toBe(EXIT.invalid);
  expect(stderr).toMatch(/backfill: a duration such as 7d/);
  expect(await runCli(['watch', '--once', '--providers', 'google,myspace'], { connect })).toBe(EXIT.invalid);
  expect(stderr).toMatch(/providers\.1/);
  expect(await runCli(['watch'], { connect })).toBe(EXIT.invalid);
  expect(stderr).toMatch(/watch needs --once/);
  expect(await runCli(['watch', 'dismiss', 'cordon-contain-drift-x'], { connect })).toBe(EXIT.invalid);
  expect(stderr).toMatch(/--as NAME --reason TEXT/);
  expect(await runCli(['schedule', 'watch'], { connect })).toBe(EXIT.invalid);
  expect(connect).not.toHaveBeenCalled();
});

it('the store commands say which variable to set, and read the store when it is', async () => {
  expect(await runCli(['verdicts'], { connect })).toBe(EXIT.invalid);
  expect(stderr).toMatch(/CORDON_WATCH_DB is not set/);
  process.env.CORDON_WATCH_DB = ':memory:';
  expect(await runCli(['baseline', 'show', 'nobody:never'], { connect })).toBe(EXIT.error);
  expect(stderr).toMatch(/no baseline for nobody:never/);
  expect(await runCli(['verdicts'], { connect })).toBe(EXIT.ok);
  expect(connect).not.toHaveBeenCalled();
});
