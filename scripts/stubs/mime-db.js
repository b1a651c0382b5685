// Stand-in for mime-db (134 KB of MIME types) in dist/runtime.js: axios pulls it
// in through form-data -> mime-types only to name the types of uploaded files,
// which the runtime never sends. Parsing it was a third of the CLI's start-up.
module.exports = {};
