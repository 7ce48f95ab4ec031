# atomicio_add_plugin(): the one call that builds an atomicio plugin and writes its manifest.
#
#   atomicio_add_plugin(<target>
#     ID <kind.name>  KIND format|codec|lock
#     SOURCES <files...>
#     [VERSION <x.y.z>]             # default: PROJECT_VERSION
#     [EXTENSIONS .ext...]          # format and codec plugins: the file suffixes it handles
#     [BACKENDS name...]            # lock plugins: the backend names it provides
#     [DESCRIPTION "..."]
#     [PACKAGE <name>]              # the distribution package that ships it; default
#                                   # atomicio-plugin-<kind>-<name> (from the id)
#     [INSTALL_HINT "..."]          # default: "install the package <PACKAGE>"
#     [ABI_MINOR <n>]               # the newest ABI minor it uses; default: the oldest minor
#                                   # that has its kind (format 0, codec 1, lock 0)
#     [LINK_LIBRARIES <targets...>]
#     [COMPILE_DEFINITIONS <defs...>]
#     [OUTPUT_DIRECTORY <dir>]      # where <id>.so and <id>.plugin.json are placed at build time;
#                                   # default ${ATOMICIO_PLUGIN_OUTPUT_DIRECTORY}, else ./plugins
#     [INSTALL_DESTINATION <dir>]   # default: the atomicio plugin directory of the prefix
#     [NO_WARNINGS]                 # leave out the SDK's warning set
#     [NO_INSTALL])
#
# The library is a MODULE named <id>.so that exports only the entry symbol (visibility plus a
# version script), so nothing it links statically can interpose on the host or other plugins.
# The manifest is generated from the same arguments that are compiled into the plugin as
# ATOMICIO_PLUGIN_ID / ATOMICIO_PLUGIN_VERSION / ATOMICIO_PLUGIN_NEEDS_ABI_MINOR, so the two agree
# by construction. The plugin is installed as component <PACKAGE>, so a packager (CPack, or
# `cmake --install --component`) ships each plugin on its own.
#
# Directory-scoped defaults a project with several plugins may set once:
#   ATOMICIO_PLUGIN_OUTPUT_DIRECTORY  the default OUTPUT_DIRECTORY
#   ATOMICIO_PLUGIN_GROUP_TARGET      a custom target every plugin is added to as a dependency
# A warning set is applied unless NO_WARNINGS; CMake's COMPILE_WARNING_AS_ERROR makes it fatal.

set(_atomicio_plugin_helper_dir "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Where AtomicioPlugin.cmake lives")

# The warnings every atomicio plugin and the project itself compile with (GCC and Clang).
set(ATOMICIO_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  CACHE INTERNAL "The atomicio warning set")

function(atomicio_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL;NO_WARNINGS"
    "ID;KIND;VERSION;DESCRIPTION;PACKAGE;INSTALL_HINT;ABI_MINOR;OUTPUT_DIRECTORY;INSTALL_DESTINATION"
    "SOURCES;EXTENSIONS;BACKENDS;LINK_LIBRARIES;COMPILE_DEFINITIONS")
  foreach(required ID KIND SOURCES)
    if(NOT arg_${required})
      message(FATAL_ERROR "atomicio_add_plugin(${target}): ${required} is required")
    endif()
  endforeach()
  if(NOT arg_KIND MATCHES "^(format|codec|lock)$")
    message(FATAL_ERROR "atomicio_add_plugin(${target}): KIND must be format, codec or lock, not '${arg_KIND}'")
  endif()
  if(NOT arg_ID MATCHES "^${arg_KIND}\\.[a-z0-9][a-z0-9_-]*$")
    message(FATAL_ERROR "atomicio_add_plugin(${target}): ID must be ${arg_KIND}.<name> (lower-case letters, "
                        "digits, '-' and '_'), not '${arg_ID}'")
  endif()
  if(NOT arg_VERSION)
    set(arg_VERSION "${PROJECT_VERSION}")
  endif()
  _atomicio_plugin_abi_minor(abi_minor "${target}" "${arg_KIND}" "${arg_ABI_MINOR}")
  if(NOT arg_PACKAGE)
    string(REPLACE "." "-" package "atomicio-plugin-${arg_ID}")
    string(REPLACE "_" "-" arg_PACKAGE "${package}")
  endif()
  if(NOT arg_INSTALL_HINT)
    set(arg_INSTALL_HINT "install the package ${arg_PACKAGE}")
  endif()
  if(NOT arg_OUTPUT_DIRECTORY)
    if(ATOMICIO_PLUGIN_OUTPUT_DIRECTORY)
      set(arg_OUTPUT_DIRECTORY "${ATOMICIO_PLUGIN_OUTPUT_DIRECTORY}")
    else()
      set(arg_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/plugins")
    endif()
  endif()
  if(NOT arg_INSTALL_DESTINATION)
    set(arg_INSTALL_DESTINATION "${ATOMICIO_PLUGIN_INSTALL_DIR}")
  endif()

  add_library(${target} MODULE ${arg_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX "" SUFFIX ".so" OUTPUT_NAME "${arg_ID}"
    LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_DIRECTORY}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_compile_definitions(${target} PRIVATE
    ATOMICIO_PLUGIN_ID="${arg_ID}" ATOMICIO_PLUGIN_VERSION="${arg_VERSION}"
    ATOMICIO_PLUGIN_NEEDS_ABI_MINOR=${abi_minor} ${arg_COMPILE_DEFINITIONS})
  target_link_libraries(${target} PRIVATE atomicio::sdk ${arg_LINK_LIBRARIES})
  if(NOT arg_NO_WARNINGS AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE ${ATOMICIO_WARNING_FLAGS})
  endif()
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${_atomicio_plugin_helper_dir}/plugin_exports.map")
  # --no-undefined turns a forgotten LINK_LIBRARIES entry into a link error instead of a load
  # failure. A sanitized plugin, though, refers to the sanitizer runtime, which lives in the
  # executable that loads it (clang links it there only), so that build must leave it out.
  get_directory_property(directory_flags COMPILE_OPTIONS)
  get_directory_property(directory_link_flags LINK_OPTIONS)
  if(NOT "${CMAKE_CXX_FLAGS};${CMAKE_MODULE_LINKER_FLAGS};${directory_flags};${directory_link_flags}" MATCHES "-fsanitize=")
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    "${_atomicio_plugin_helper_dir}/plugin_exports.map")
  if(ATOMICIO_PLUGIN_GROUP_TARGET)
    add_dependencies(${ATOMICIO_PLUGIN_GROUP_TARGET} ${target})
  endif()

  if(arg_KIND MATCHES "^(format|codec)$")
    set(provides_key extensions)
    set(provides_items ${arg_EXTENSIONS})
  else()
    set(provides_key lock_backends)
    set(provides_items ${arg_BACKENDS})
  endif()
  _atomicio_plugin_manifest(manifest
    ID "${arg_ID}" VERSION "${arg_VERSION}" KIND "${arg_KIND}" ABI_MINOR "${abi_minor}"
    LIBRARY "${arg_ID}.so" PROVIDES_KEY "${provides_key}" PROVIDES ${provides_items}
    DESCRIPTION "${arg_DESCRIPTION}" PACKAGE "${arg_PACKAGE}" INSTALL_HINT "${arg_INSTALL_HINT}")
  set(manifest_path "${arg_OUTPUT_DIRECTORY}/${arg_ID}.plugin.json")
  set(staged "${CMAKE_CURRENT_BINARY_DIR}/${target}.plugin.json.new")
  file(WRITE "${staged}" "${manifest}\n")
  file(MAKE_DIRECTORY "${arg_OUTPUT_DIRECTORY}")
  file(COPY_FILE "${staged}" "${manifest_path}" ONLY_IF_DIFFERENT)

  # What a packager needs to know about each plugin (cmake/AtomicioPackaging.cmake reads it).
  set_property(GLOBAL APPEND PROPERTY ATOMICIO_PLUGIN_TARGETS ${target})
  set_target_properties(${target} PROPERTIES
    ATOMICIO_PLUGIN_ID "${arg_ID}" ATOMICIO_PLUGIN_PACKAGE "${arg_PACKAGE}"
    ATOMICIO_PLUGIN_DESCRIPTION "${arg_DESCRIPTION}" ATOMICIO_PLUGIN_NEEDS_ABI_MINOR "${abi_minor}"
    ATOMICIO_PLUGIN_PROVIDES "${provides_items}")
  if(NOT arg_NO_INSTALL)
    set_target_properties(${target} PROPERTIES ATOMICIO_PLUGIN_INSTALLED ON)
  endif()
  if(NOT arg_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${arg_INSTALL_DESTINATION}" COMPONENT "${arg_PACKAGE}")
    install(FILES "${manifest_path}" DESTINATION "${arg_INSTALL_DESTINATION}" COMPONENT "${arg_PACKAGE}")
  endif()
endfunction()

# The ABI minor a plugin declares: what it asks for, checked against what its kind needs and
# what this SDK knows. A plugin declaring less than it uses would be loaded by a core that lacks
# it; one declaring more than it uses is refused by cores that would have served it.
function(_atomicio_plugin_abi_minor out target kind requested)
  set(floor 0)
  if(kind STREQUAL "codec")
    set(floor 1)  # codec plugins came with minor 1
  endif()
  if(requested STREQUAL "")
    set(requested ${floor})
  endif()
  if(NOT requested MATCHES "^[0-9]+$" OR requested LESS floor OR requested GREATER ATOMICIO_PLUGIN_ABI_MINOR)
    message(FATAL_ERROR "atomicio_add_plugin(${target}): ABI_MINOR must be ${floor} to ${ATOMICIO_PLUGIN_ABI_MINOR} "
                        "for a ${kind} plugin, not '${requested}'")
  endif()
  set(${out} ${requested} PARENT_SCOPE)
endfunction()

# The manifest as JSON text, built with string(JSON) so that every string is escaped and the
# document is checked well-formed here, not found malformed at run time.
function(_atomicio_plugin_manifest out)
  cmake_parse_arguments(PARSE_ARGV 1 arg ""
    "ID;VERSION;KIND;ABI_MINOR;LIBRARY;PROVIDES_KEY;DESCRIPTION;PACKAGE;INSTALL_HINT" "PROVIDES")
  set(json "{}")
  string(JSON json SET "${json}" manifest_version 1)
  foreach(field IN ITEMS id version kind)
    string(TOUPPER "${field}" key)
    _atomicio_json_string(value "${arg_${key}}")
    string(JSON json SET "${json}" ${field} "${value}")
  endforeach()
  string(JSON json SET "${json}" abi "{\"major\": ${ATOMICIO_PLUGIN_ABI_MAJOR}, \"minor\": ${arg_ABI_MINOR}}")
  _atomicio_json_string(value "${arg_LIBRARY}")
  string(JSON json SET "${json}" library "${value}")
  set(items "[]")
  set(index 0)
  foreach(item IN LISTS arg_PROVIDES)
    _atomicio_json_string(value "${item}")
    string(JSON items SET "${items}" ${index} "${value}")
    math(EXPR index "${index} + 1")
  endforeach()
  string(JSON json SET "${json}" provides "{}")
  string(JSON json SET "${json}" provides ${arg_PROVIDES_KEY} "${items}")
  foreach(field IN ITEMS description package install_hint)
    string(TOUPPER "${field}" key)
    _atomicio_json_string(value "${arg_${key}}")
    string(JSON json SET "${json}" ${field} "${value}")
    # Read back: the escaping must give back exactly what was passed.
    string(JSON check GET "${json}" ${field})
    if(NOT "${check}" STREQUAL "${arg_${key}}")
      message(FATAL_ERROR "atomicio_add_plugin(${arg_ID}): ${field} does not survive JSON escaping: '${arg_${key}}'")
    endif()
  endforeach()
  set(${out} "${json}" PARENT_SCOPE)
endfunction()

# A CMake string as a JSON string literal, with RFC 8259's escapes.
function(_atomicio_json_string out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\n" "\\n" text "${text}")
  string(REPLACE "\r" "\\r" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  foreach(code RANGE 1 31)
    string(ASCII ${code} control)
    string(FIND "${text}" "${control}" at)
    if(at GREATER_EQUAL 0)
      math(EXPR hex "${code}" OUTPUT_FORMAT HEXADECIMAL)  # 0x1f
      string(REPLACE "0x" "" digits "${hex}")
      string(LENGTH "${digits}" length)
      if(length LESS 2)
        set(digits "0${digits}")
      endif()
      string(REPLACE "${control}" "\\u00${digits}" text "${text}")
    endif()
  endforeach()
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()
