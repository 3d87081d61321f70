import assert from "node:assert/strict";
import { parseJunit, unescapeXml } from "./junit.ts";

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="4" failures="1" errors="0" time="0.013">
    <testsuite name="./tests/kernel/a_test.ts" tests="3" disabled="1" errors="0" failures="1">
        <testcase name="a passes &amp; &quot;q&quot;" classname="./tests/kernel/harness.ts" time="0.001">
        </testcase>
        <testcase name="b ignored" classname="./tests/kernel/harness.ts" time="0.000">
            <skipped/>
        </testcase>
        <testcase name="c fails" classname="./tests/kernel/harness.ts" time="0.002">
            <failure message="Uncaught Error: boom &lt;x&gt;">Error: boom &lt;x&gt;</failure>
        </testcase>
    </testsuite>
    <testsuite name="./tests/b_test.ts" tests="1">
        <testcase name="d" classname="./tests/b_test.ts" time="0.001"/>
    </testsuite>
</testsuites>`;

Deno.test("junit reports give each case its suite's file and its outcome", () => {
  assert.deepEqual(parseJunit(REPORT), [
    { file: "./tests/kernel/a_test.ts", name: 'a passes & "q"', outcome: "passed" },
    { file: "./tests/kernel/a_test.ts", name: "b ignored", outcome: "skipped" },
    {
      file: "./tests/kernel/a_test.ts",
      name: "c fails",
      outcome: "failed",
      message: "Uncaught Error: boom <x>",
    },
    { file: "./tests/b_test.ts", name: "d", outcome: "passed" },
  ]);
});

Deno.test("xml entities and character references decode", () => {
  assert.equal(unescapeXml("&lt;&#65;&#x42;&apos;&gt;&amp;amp;"), "<AB'>&amp;");
});
