# Debian packages from the install components (`cpack -G DEB` in the build directory):
#   lib<atomicio><soversion>   libatomicio (component core); Provides the plugin ABI
#   libatomicio-dev            headers, CMake package, SDK and its helper, pkg-config (sdk)
#   libatomicio-async<sov>     libatomicio_async (async); libatomicio-async-dev (async-dev)
#   atomicio                   the CLI (cli)
#   atomicio-plugin-<kind>-<name>, one per plugin (component = package, see atomicio_add_plugin)
#   atomicio-plugins-all       a metapackage depending on every plugin package built here
# Dependencies on other distribution packages are computed by dpkg-shlibdeps from the ELF files;
# those between atomicio's own packages come from the component graph. A plugin depends on the
# plugin ABI, a virtual package the core provides with its ABI minor as the version
# (atomicio-plugin-abi-<major> (= <minor>)), so a plugin built against an older minor keeps
# working with a newer core and no plugin is tied to one exact core version.
# A placeholder address until the project has a list; a distribution sets its own.
set(ATOMICIO_PACKAGE_MAINTAINER "atomicio developers <atomicio-devel@example.org>" CACHE STRING
    "The Maintainer field of the Debian packages")
set(ATOMICIO_PACKAGE_RELEASE 1 CACHE STRING "The Debian revision of the packages")

# The changelog's date: now, or SOURCE_DATE_EPOCH for a reproducible build.
string(TIMESTAMP ATOMICIO_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(abi_package "atomicio-plugin-abi-${ATOMICIO_PLUGIN_ABI_MAJOR}")
get_target_property(core_soversion atomicio_core SOVERSION)
set(core_package "libatomicio${core_soversion}")
set(async_package "")
if(TARGET atomicio_async)
  get_target_property(async_soversion atomicio_async SOVERSION)
  set(async_package "libatomicio-async${async_soversion}")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME atomicio)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPack would put it before every package's own summary.
set(CPACK_PACKAGE_CONTACT "${ATOMICIO_PACKAGE_MAINTAINER}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${ATOMICIO_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Lets dpkg-shlibdeps see libatomicio in this build when it looks at the CLI and libatomicio_async;
# the dependency on its package comes from the component graph below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}/${CMAKE_INSTALL_LIBDIR}")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# The shlibs files and ldconfig triggers of the two library packages are written below
# (CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS adds no trigger: lintian's lacks-ldconfig-trigger, an
# error). CPack 3.25 still adds postinst/postrm scripts calling ldconfig to any package with a
# library under /usr/lib (lintian warns: maintscript-calls-ldconfig).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

# Wraps `text` at 79 columns, as a control file's extended description wants (one paragraph).
# Semicolons become commas: CMake would take them for list separators on the way to CPack.
function(atomicio_wrap_text out text)
  string(REPLACE ";" "," text "${text}")
  string(REGEX MATCHALL "[^ \n]+" words "${text}")
  set(wrapped "")
  set(line "")
  foreach(word IN LISTS words)
    string(LENGTH "${line} ${word}" length)
    if(line AND length GREATER 79)
      string(APPEND wrapped "${line}\n")
      set(line "${word}")
    elseif(line)
      string(APPEND line " ${word}")
    else()
      set(line "${word}")
    endif()
  endforeach()
  set(${out} "${wrapped}${line}" PARENT_SCOPE)
endfunction()

# atomicio_package(<component> NAME <package> SECTION <section> SUMMARY <line> DESCRIPTION <text>
#                  [DEPENDS <components...>] [EXTRA_DEPENDS <debian deps>] [PROVIDES <...>]
#                  [SHARED_LIBRARY <soname stem> <soversion>] [ARCHITECTURE_INDEPENDENT])
# DESCRIPTION is one plain paragraph; it is wrapped and CPack indents it.
function(atomicio_package component)
  cmake_parse_arguments(PARSE_ARGV 1 arg "ARCHITECTURE_INDEPENDENT"
    "NAME;SECTION;SUMMARY;DESCRIPTION;EXTRA_DEPENDS;PROVIDES" "DEPENDS;SHARED_LIBRARY")
  string(TOUPPER "${component}" upper)
  atomicio_wrap_text(description "${arg_DESCRIPTION}")
  set(CPACK_DEBIAN_${upper}_PACKAGE_NAME "${arg_NAME}" PARENT_SCOPE)
  set(CPACK_DEBIAN_${upper}_PACKAGE_SECTION "${arg_SECTION}" PARENT_SCOPE)
  set(CPACK_COMPONENT_${upper}_DESCRIPTION "${arg_SUMMARY}\n${description}" PARENT_SCOPE)
  set(CPACK_COMPONENT_${upper}_DEPENDS ${arg_DEPENDS} PARENT_SCOPE)
  set(CPACK_DEBIAN_${upper}_PACKAGE_DEPENDS "${arg_EXTRA_DEPENDS}" PARENT_SCOPE)
  set(CPACK_DEBIAN_${upper}_PACKAGE_PROVIDES "${arg_PROVIDES}" PARENT_SCOPE)
  if(arg_ARCHITECTURE_INDEPENDENT)
    set(CPACK_DEBIAN_${upper}_PACKAGE_ARCHITECTURE all PARENT_SCOPE)
  endif()
  if(arg_SHARED_LIBRARY)
    # shlibs: what a package built against this library depends on (dpkg-shlibdeps reads it);
    # triggers: ldconfig runs once per dpkg run instead of from maintainer scripts.
    list(GET arg_SHARED_LIBRARY 0 library)
    list(GET arg_SHARED_LIBRARY 1 soversion)
    set(control_dir "${PROJECT_BINARY_DIR}/package-control/${arg_NAME}")
    file(WRITE "${control_dir}/shlibs" "${library} ${soversion} ${arg_NAME} (>= ${PROJECT_VERSION})\n")
    file(WRITE "${control_dir}/triggers" "activate-noawait ldconfig\n")
    set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA "${control_dir}/shlibs;${control_dir}/triggers" PARENT_SCOPE)
    set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_STRICT_PERMISSION ON PARENT_SCOPE)
  endif()
  # Debian wants a copyright file and a changelog in every package's doc directory.
  set(doc_dir "${PROJECT_BINARY_DIR}/package-doc/${arg_NAME}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/package/copyright.in" "${doc_dir}/copyright" @ONLY)
  set(package_name "${arg_NAME}")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/package/changelog.in" "${doc_dir}/changelog.Debian" @ONLY)
  execute_process(COMMAND gzip -9nfk "${doc_dir}/changelog.Debian" COMMAND_ERROR_IS_FATAL ANY)
  install(FILES "${doc_dir}/copyright" "${doc_dir}/changelog.Debian.gz"
          DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/${arg_NAME}" COMPONENT "${component}")
endfunction()

get_property(plugin_targets GLOBAL PROPERTY ATOMICIO_PLUGIN_TARGETS)
set(plugin_components "")
foreach(plugin IN LISTS plugin_targets)
  get_target_property(installed ${plugin} ATOMICIO_PLUGIN_INSTALLED)
  if(NOT installed)
    continue()  # the tests' own plugins (NO_INSTALL)
  endif()
  get_target_property(plugin_package ${plugin} ATOMICIO_PLUGIN_PACKAGE)
  get_target_property(plugin_id ${plugin} ATOMICIO_PLUGIN_ID)
  get_target_property(plugin_description ${plugin} ATOMICIO_PLUGIN_DESCRIPTION)
  get_target_property(plugin_abi_minor ${plugin} ATOMICIO_PLUGIN_NEEDS_ABI_MINOR)
  list(APPEND plugin_components "${plugin_package}")
  atomicio_package("${plugin_package}" NAME "${plugin_package}" SECTION libs
    SUMMARY "atomicio plugin ${plugin_id}"
    DESCRIPTION "${plugin_description}. The ${plugin_id} plugin of atomicio, loaded by libatomicio at run time from its plugin directory; removing this package removes exactly this feature."
    EXTRA_DEPENDS "${abi_package} (>= ${plugin_abi_minor})")
endforeach()

# The default lock backend comes with the core: without it every write would fail, and a
# system with only another backend installed must not pick that one silently (processes
# using different backends do not exclude each other).
set(default_lock_component atomicio-plugin-lock-ofd)
set(core_depends "")
if(default_lock_component IN_LIST plugin_components)
  set(core_depends "${default_lock_component}")
endif()
atomicio_package(core NAME "${core_package}" SECTION libs
  SUMMARY "crash-safe, concurrency-safe file operations (library)"
  DESCRIPTION "Atomic commits (temp file, fsync, rename, directory fsync), locks that hold across threads and processes, and file formats, codecs and lock backends as plugins. This package holds the shared library, the plugins are packaged apart."
  DEPENDS ${core_depends}
  SHARED_LIBRARY libatomicio ${core_soversion}
  PROVIDES "${abi_package} (= ${ATOMICIO_PLUGIN_ABI_MINOR})")
atomicio_package(sdk NAME libatomicio-dev SECTION libdevel
  SUMMARY "crash-safe, concurrency-safe file operations (development files)"
  DESCRIPTION "Headers, the CMake package (find_package(atomicio)), the pkg-config file and the plugin SDK with its CMake helper atomicio_add_plugin()."
  DEPENDS core EXTRA_DEPENDS "nlohmann-json3-dev")
atomicio_package(cli NAME atomicio SECTION utils
  SUMMARY "crash-safe, concurrency-safe file operations (command-line tool)"
  DESCRIPTION "The atomicio command: atomic writes, updates and appends of JSON, YAML, TOML and other files from the shell, flock(1)-style locks, and the installed plugins."
  DEPENDS core)
set(all_components core sdk cli ${plugin_components})
if(async_package)
  atomicio_package(async NAME "${async_package}" SECTION libs
    SUMMARY "crash-safe, concurrency-safe file operations (Asio async library)"
    DESCRIPTION "Async files, streams, locks and AsyncSafeFile on Boost.Asio completion tokens, with io_uring where the kernel allows it."
    DEPENDS core
    SHARED_LIBRARY libatomicio_async ${async_soversion})
  atomicio_package(async-dev NAME libatomicio-async-dev SECTION libdevel
    SUMMARY "crash-safe, concurrency-safe file operations (async development files)"
    DESCRIPTION "Headers and the CMake package component (find_package(atomicio COMPONENTS async)) of the Asio async library."
    DEPENDS async sdk EXTRA_DEPENDS "libboost1.81-dev, liburing-dev")
  list(APPEND all_components async async-dev)
endif()
atomicio_package(plugins-all NAME atomicio-plugins-all SECTION libs
  SUMMARY "crash-safe, concurrency-safe file operations (every plugin)"
  DESCRIPTION "A metapackage that installs the atomicio library with every format, codec and lock backend plugin built with it."
  DEPENDS core ${plugin_components} ARCHITECTURE_INDEPENDENT)
list(APPEND all_components plugins-all)
set(CPACK_COMPONENTS_ALL ${all_components})

include(CPack)
