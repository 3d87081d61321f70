// Test program for the cxx-exceptions example: throws and catches N std::out_of_range and M
// exceptions of a type of its own, then exits 0. Usage: thrower N M
#include <cstdlib>
#include <stdexcept>

namespace ebpf_exporter_test {
struct custom_error {
	int code;
};
} // namespace ebpf_exporter_test

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int caught = 0;
	for (int i = std::atoi(argv[1]); i > 0; i--) {
		try {
			throw std::out_of_range("test");
		} catch (const std::out_of_range &) {
			caught++;
		}
	}
	for (int i = std::atoi(argv[2]); i > 0; i--) {
		try {
			throw ebpf_exporter_test::custom_error{i};
		} catch (const ebpf_exporter_test::custom_error &) {
			caught++;
		}
	}
	return caught == std::atoi(argv[1]) + std::atoi(argv[2]) ? 0 : 1;
}
