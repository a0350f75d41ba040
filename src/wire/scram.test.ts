import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors/sql-error.ts';
import { ScramExchange } from './scram-exchange.ts';
import { formatScramVerifier, makeScramVerifier, parseScramVerifier, saslPrep } from './scram-verifier.ts';

// The SCRAM-SHA-256 example exchange of RFC 7677 §3.
const RFC = {
  password: 'pencil',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function fatal(run: () => unknown): SqlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).severity).toBe('FATAL');
    return error as SqlError;
  }
  throw new Error('expected a FATAL error');
}

describe('SCRAM-SHA-256', () => {
  const verifier = makeScramVerifier(RFC.password, 4096, RFC.salt);

  it('reproduces the RFC 7677 exchange', () => {
    const exchange = new ScramExchange(verifier, RFC.serverNonce);
    expect(exchange.clientFirst(RFC.clientFirst)).toBe(RFC.serverFirst);
    expect(exchange.clientFinal(RFC.clientFinal)).toBe(RFC.serverFinal);
  });

  it('returns null for a wrong proof', () => {
    const wrong = makeScramVerifier('not pencil', 4096, RFC.salt);
    const exchange = new ScramExchange(wrong, RFC.serverNonce);
    exchange.clientFirst(RFC.clientFirst);
    expect(exchange.clientFinal(RFC.clientFinal)).toBeNull();
  });

  it('accepts the "y" flag when it is echoed in the channel binding attribute', () => {
    const exchange = new ScramExchange(verifier, RFC.serverNonce);
    exchange.clientFirst(RFC.clientFirst.replace(/^n/, 'y'));
    // The proof covers c=, so with c=eSws it no longer matches: a clean "wrong password".
    expect(exchange.clientFinal(RFC.clientFinal.replace('c=biws', 'c=eSws'))).toBeNull();
  });

  it('rejects malformed messages', () => {
    expect(
      fatal(() => new ScramExchange(verifier).clientFirst('p=tls-server-end-point,,n=,r=abc')).message,
    ).toBe('malformed SCRAM message');
    expect(fatal(() => new ScramExchange(verifier).clientFirst('x,,n=,r=abc')).code).toBe('08P01');
    expect(fatal(() => new ScramExchange(verifier).clientFirst('n,a=bob,n=,r=abc')).code).toBe('0A000');
    expect(fatal(() => new ScramExchange(verifier).clientFirst('n,,n=,r=')).code).toBe('08P01');
    const exchange = new ScramExchange(verifier, RFC.serverNonce);
    exchange.clientFirst(RFC.clientFirst);
    expect(fatal(() => exchange.clientFinal(RFC.clientFinal.replace('c=biws', 'c=eSws'))).message).toBe(
      'SCRAM channel binding check failed',
    );
    const other = new ScramExchange(verifier, 'other');
    other.clientFirst(RFC.clientFirst);
    expect(fatal(() => other.clientFinal(RFC.clientFinal)).detail).toBe('Nonce does not match.');
  });

  it('formats and parses PostgreSQL verifier text', () => {
    const text = formatScramVerifier(verifier);
    expect(text).toMatch(
      /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
    expect(parseScramVerifier(text)).toEqual(verifier);
    for (const bad of [
      'md5abc',
      'SCRAM-SHA-256$0:AAAA$AAAA:AAAA',
      'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$short:short',
      text.replace('$4096', '$x'),
    ]) {
      expect(parseScramVerifier(bad), bad).toBeNull();
    }
  });

  it('applies SASLprep mapping to non-ASCII passwords only', () => {
    expect(saslPrep('pass word')).toBe('pass word');
    expect(saslPrep('pass\u00a0word\u00ad')).toBe('pass word');
    expect(saslPrep('\u2168')).toBe('IX');
  });
});
