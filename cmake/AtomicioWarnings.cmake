# One place for the warning set, applied per target with atomicio_enable_warnings(<target>).
function(atomicio_enable_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(ATOMICIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
