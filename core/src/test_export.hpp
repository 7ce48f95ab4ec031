// Marks the internals that tests reach through atomicio_core_internals (the file-system seam in
// posix/file_system.hpp). They are visible, and so exportable, only when the core is built with
// the tests (ATOMICIO_EXPORT_TEST_INTERNALS, set from ATOMICIO_BUILD_TESTS), and then
// libatomicio_test_internals.map puts them under a version node of their own. A library built
// without the tests, as a package is, keeps them hidden: they are not part of its ABI.
#pragma once

#if defined(ATOMICIO_EXPORT_TEST_INTERNALS) && (defined(__GNUC__) || defined(__clang__))
#define ATOMICIO_TEST_EXPORT __attribute__((visibility("default")))
#else
#define ATOMICIO_TEST_EXPORT
#endif
