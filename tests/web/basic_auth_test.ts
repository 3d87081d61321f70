/** Basic auth against bcrypt hashes, with OpenBSD's published bcrypt vectors. */
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { BasicAuth, parseBasic } from "../../src/web/basic_auth.ts";

// From OpenBSD's bcrypt regression tests: "U*U" with salt CCCC… at cost 5.
const U_HASH = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
// The same vector's other spellings of the version are accepted as the toolkit does ($2y$).
const Y_HASH = "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

Deno.test("the right password of a known user passes; anything else fails", async () => {
  const auth = new BasicAuth(new Map([["alice", U_HASH], ["bob", Y_HASH]]));
  assert.equal(auth.enabled, true);
  assert.equal(await auth.check(basic("alice", "U*U")), true);
  assert.equal(await auth.check(basic("bob", "U*U")), true);
  assert.equal(await auth.check(basic("alice", "U*V")), false);
  assert.equal(await auth.check(basic("carol", "U*U")), false);
  assert.equal(await auth.check(null), false);
  assert.equal(await auth.check("Bearer abc"), false);
  assert.equal(new BasicAuth(new Map()).enabled, false);
});

Deno.test("bcrypt runs once per user and password; wrong passwords are never cached", async () => {
  let runs = 0;
  const counting = (password: string, hash: string) => {
    runs++;
    return bcrypt.compare(password, hash);
  };
  const auth = new BasicAuth(new Map([["alice", U_HASH]]), counting);
  for (let i = 0; i < 5; i++) assert.equal(await auth.check(basic("alice", "U*U")), true);
  assert.equal(runs, 1);
  for (let i = 0; i < 3; i++) assert.equal(await auth.check(basic("alice", "U*U ")), false);
  assert.equal(runs, 4);
  // An unknown user still costs a bcrypt run, so names cannot be probed by timing.
  assert.equal(await auth.check(basic("mallory", "U*U")), false);
  assert.equal(runs, 5);
});

Deno.test("Authorization headers split into name and password at the first colon", () => {
  assert.deepEqual(parseBasic(basic("a", "b:c")), { user: "a", password: "b:c" });
  assert.deepEqual(parseBasic("basic  " + btoa("x:")), { user: "x", password: "" });
  assert.equal(parseBasic("Basic " + btoa("nocolon")), null);
  assert.equal(parseBasic("Basic !!!"), null);
  assert.equal(parseBasic(null), null);
});
