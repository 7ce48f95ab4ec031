// format.no-entry.so (test only): a loadable library that is not an atomicio plugin, because it
// does not export atomicio_plugin_entry_v1. Built without the SDK helper; tests write its manifest.
extern "C" __attribute__((visibility("default"))) int not_an_atomicio_entry() { return 0; }
