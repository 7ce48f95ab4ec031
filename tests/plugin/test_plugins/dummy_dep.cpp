// libatomicio_test_dummy_dep (test only): a shared library format.needs-dep links against and
// that is never shipped next to it, so loading that plugin fails in the dynamic loader.
extern "C" __attribute__((visibility("default"))) int atomicio_test_dummy_dep_answer() { return 42; }
