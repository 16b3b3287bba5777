#include "app/application.hpp"

int main(int argc, char** argv) {
    valhalla::host::app::Application application;
    return application.run(argc, argv);
}
