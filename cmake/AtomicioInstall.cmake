# Install rules and the CMake package: a relocatable prefix holding the headers, libatomicio,
# the plugins with their manifests, the CLI, and atomicioConfig.cmake so that applications can
# find_package(atomicio CONFIG) and link atomicio::core, and plugin authors atomicio::sdk; the
# same for pkg-config (atomicio.pc, atomicio-async.pc); and the Debian packaging.
include(CMakePackageConfigHelpers)

set(ATOMICIO_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/atomicio")

install(TARGETS atomicio_core atomicio_sdk EXPORT atomicioTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT core NAMELINK_COMPONENT sdk
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY core/include/ sdk/include/ "${PROJECT_BINARY_DIR}/core/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT sdk)
install(EXPORT atomicioTargets NAMESPACE atomicio:: DESTINATION "${ATOMICIO_CMAKE_DIR}" COMPONENT sdk)

# The async layer: a separate library, export set and package component (COMPONENTS async), so
# that an application of the core alone neither links it nor needs Asio or liburing to find the
# package.
if(TARGET atomicio_async)
  install(TARGETS atomicio_async EXPORT atomicioAsyncTargets
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT async NAMELINK_COMPONENT async-dev
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(DIRECTORY async/include/ DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT async-dev)
  install(EXPORT atomicioAsyncTargets NAMESPACE atomicio:: DESTINATION "${ATOMICIO_CMAKE_DIR}"
    COMPONENT async-dev)
endif()

configure_package_config_file(cmake/atomicioConfig.cmake.in
  "${PROJECT_BINARY_DIR}/atomicioConfig.cmake" INSTALL_DESTINATION "${ATOMICIO_CMAKE_DIR}"
  PATH_VARS ATOMICIO_PLUGIN_INSTALL_DIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/atomicioConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/atomicioConfig.cmake"
  "${PROJECT_BINARY_DIR}/atomicioConfigVersion.cmake"
  sdk/cmake/AtomicioPlugin.cmake
  sdk/cmake/plugin_exports.map
  DESTINATION "${ATOMICIO_CMAKE_DIR}" COMPONENT sdk)

# pkg-config files, relocatable like the rest: the prefix is found from the file's own place.
set(ATOMICIO_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH ATOMICIO_PC_TO_PREFIX "/prefix/${ATOMICIO_PKGCONFIG_DIR}" "/prefix")
string(REGEX REPLACE "/$" "" ATOMICIO_PC_TO_PREFIX "${ATOMICIO_PC_TO_PREFIX}")
configure_file(cmake/atomicio.pc.in "${PROJECT_BINARY_DIR}/pkgconfig/atomicio.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/atomicio.pc" DESTINATION "${ATOMICIO_PKGCONFIG_DIR}" COMPONENT sdk)
if(TARGET atomicio_async)
  # What atomicio::async's PUBLIC definitions say, for programs that do not use CMake.
  get_target_property(async_definitions atomicio_async INTERFACE_COMPILE_DEFINITIONS)
  list(TRANSFORM async_definitions PREPEND "-D")
  list(JOIN async_definitions " " ATOMICIO_PC_ASYNC_DEFINES)
  set(ATOMICIO_PC_ASYNC_REQUIRES "")
  if(ATOMICIO_LIBURING_FOUND)
    set(ATOMICIO_PC_ASYNC_REQUIRES ", liburing")
  endif()
  configure_file(cmake/atomicio-async.pc.in "${PROJECT_BINARY_DIR}/pkgconfig/atomicio-async.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/atomicio-async.pc" DESTINATION "${ATOMICIO_PKGCONFIG_DIR}"
          COMPONENT async-dev)
endif()

include(AtomicioPackaging)
