// Asio is compiled once, here (BOOST_ASIO_SEPARATE_COMPILATION), to keep builds quick.
#include <boost/asio/impl/src.hpp>
