// Runs the login page's proof-of-work script (static/pow.js, as served) against a minimal stand-in
// for the page, and prints the solution it puts into the form. Used by tests/lockout.rs.
// Usage: node pow_harness.js SCRIPT_FILE CHALLENGE
"use strict";
const fs = require("fs");
const [script, challenge] = process.argv.slice(2);
const solution = { value: "" };
const button = { disabled: false };
const form = {
  elements: { pow_challenge: { value: challenge }, pow_solution: solution },
  querySelector: () => button,
  getAttribute: () => "done",
};
const status = { textContent: "" };
global.document = { getElementById: (id) => (id === "pow-form" ? form : status) };
global.setTimeout = (f) => setImmediate(f);
new Function(fs.readFileSync(script, "utf8"))();
const deadline = Date.now() + 60000;
(function wait() {
  if (solution.value !== "") {
    if (button.disabled) throw new Error("the submit button stayed disabled");
    process.stdout.write(solution.value);
  } else if (Date.now() > deadline) {
    throw new Error("no solution within 60 s");
  } else {
    setImmediate(wait);
  }
})();
