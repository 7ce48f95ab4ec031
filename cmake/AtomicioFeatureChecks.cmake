# Probes the platform features the commit engine and lock backends use, and writes them into a
# generated private header (atomicio_config.h). Code takes the portable path where one is absent.
include(CheckSymbolExists)
include(CheckCXXSourceCompiles)

set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
check_symbol_exists(O_TMPFILE "fcntl.h" ATOMICIO_HAVE_O_TMPFILE)
check_symbol_exists(F_OFD_SETLK "fcntl.h" ATOMICIO_HAVE_OFD_LOCKS)
check_symbol_exists(copy_file_range "unistd.h" ATOMICIO_HAVE_COPY_FILE_RANGE)
check_symbol_exists(FICLONE "linux/fs.h" ATOMICIO_HAVE_FICLONE)
check_symbol_exists(secure_getenv "stdlib.h" ATOMICIO_HAVE_SECURE_GETENV)
unset(CMAKE_REQUIRED_DEFINITIONS)

function(atomicio_write_config_header path)
  foreach(feature O_TMPFILE OFD_LOCKS COPY_FILE_RANGE FICLONE SECURE_GETENV)
    if(ATOMICIO_HAVE_${feature})
      set(ATOMICIO_HAVE_${feature}_VALUE 1)
    else()
      set(ATOMICIO_HAVE_${feature}_VALUE 0)
    endif()
  endforeach()
  configure_file("${PROJECT_SOURCE_DIR}/cmake/atomicio_config.h.in" "${path}" @ONLY)
endfunction()
