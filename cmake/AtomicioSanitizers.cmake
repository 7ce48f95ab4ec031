# ATOMICIO_SANITIZE=<list for -fsanitize=> (e.g. "thread", or "address;undefined"): instruments
# every target of the build, so that what a test reaches in the core and the plugins it loads is
# checked too. Included before any target is defined, like the fuzzing build. Used by
# scripts/test-sanitizers.sh for the async tests; any build may set it.
if(NOT ATOMICIO_SANITIZE)
  return()
endif()
list(JOIN ATOMICIO_SANITIZE "," _atomicio_sanitizers)
add_compile_options(-fsanitize=${_atomicio_sanitizers} -fno-omit-frame-pointer -gline-tables-only)
if(_atomicio_sanitizers MATCHES "undefined")
  # -fsanitize=function is left out: clang 14 cannot emit its prologue data for the split
  # functions of a coroutine ("Cannot represent a difference across sections").
  add_compile_options(-fno-sanitize-recover=undefined -fno-sanitize=function)
endif()
add_link_options(-fsanitize=${_atomicio_sanitizers})
