// The tenant's own time, which the control API can move (POST /tenant-clock) so credentials have ages: a key
// seeded at 2025-01-01 is 100 days old once the clock says 2025-04-11. Creation times are kept in tenant time and
// the wire shows them shifted back onto the wall clock, so a client that measures age with its own clock (Cordon)
// sees the age the tenant clock gives without knowing the clock exists. Events (a key's last use) happen now and
// keep wall time. The clock runs on from the time it was set, or stays there (`frozen`: ages do not grow, which
// keeps a test's due credentials the same however slow the machine).
export class TenantClock {
  /** Tenant time minus wall time while the clock runs, in ms. */
  #offset = 0;
  #frozenAt: number | undefined;

  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offset;
  }
  nowIso(): string {
    return new Date(this.now()).toISOString();
  }
  /** The tenant is at `iso` now (running on from there, or frozen); undefined returns to the wall clock. */
  set(iso: string | undefined, options: { frozen?: boolean } = {}): void {
    if (iso === undefined) {
      this.#offset = 0;
      this.#frozenAt = undefined;
      return;
    }
    const at = Date.parse(iso);
    if (Number.isNaN(at)) throw new Error(`tenant clock: ${iso} is not an ISO time`);
    this.#frozenAt = options.frozen ? at : undefined;
    this.#offset = options.frozen ? 0 : at - Date.now();
  }
  /** Tenant time minus wall time, now. */
  shiftMs(): number {
    return this.#frozenAt === undefined ? this.#offset : this.#frozenAt - Date.now();
  }
  frozen(): boolean {
    return this.#frozenAt !== undefined;
  }
  /** A stored tenant time as the wire shows it (RFC 3339 without fractions, as IAM answers). */
  toWire(tenantIso: string): string {
    const at = Date.parse(tenantIso);
    const shift = this.shiftMs();
    if (Number.isNaN(at) || shift === 0) return tenantIso;
    return new Date(at - shift).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  /** A wall time (now, a certificate's notBefore) as tenant time. */
  fromWall(wall: Date): string {
    return new Date(wall.getTime() + this.shiftMs()).toISOString().replace(/\.\d+Z$/, 'Z');
  }
}
