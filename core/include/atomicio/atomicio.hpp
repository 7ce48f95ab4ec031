// The whole public API in one include.
#pragma once

#include <atomicio/atomic_writer.hpp>
#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>
#include <atomicio/timeout.hpp>
#include <atomicio/value.hpp>
#include <atomicio/version.hpp>
