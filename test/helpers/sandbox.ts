/**
 * A kumban of the demo's fourth district (Dakchueng, which no test prints or derives whole),
 * with no boundary and no villages, where tests put the villages they make up
 * (test/global-setup.ts creates it). The demo's own kumbans stay as the
 * fixtures made them, so tests that measure them (derivation accuracy, counts) do not depend on
 * which test file ran first.
 */
export const SANDBOX_KUMBAN = 'SK-04-TEST';
