import assert from "node:assert/strict";
import { closestName, editDistance } from "../src/flag_suggest.ts";

Deno.test("edit distance counts inserts, deletes and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("", "ab"), 2);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("config.name", "config.names"), 1);
  assert.equal(editDistance("flaw", "lawn"), 2);
});

const NAMES = [
  "config.names",
  "config.dir",
  "config.strict",
  "web.listen-address",
  "debug",
  "help",
];

Deno.test("the closest flag is suggested only when it is a plausible typo", () => {
  assert.equal(closestName("config.name", NAMES), "config.names");
  assert.equal(closestName("config.dri", NAMES), "config.dir");
  assert.equal(closestName("web.listen-adress", NAMES), "web.listen-address");
  assert.equal(closestName("debgu", NAMES), "debug");
  // A prefix that only one flag has.
  assert.equal(closestName("web.listen", NAMES), "web.listen-address");
  assert.equal(closestName("completely-different", NAMES), null);
  assert.equal(closestName("xyz", NAMES), null);
});
