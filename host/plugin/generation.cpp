#include "plugin/generation.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>


#include <openssl/evp.h>
#include <signal.h>
#include <unistd.h>

namespace valhalla::host::plugin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "gen-";
constexpr const char* kManifestName = "manifest.tsv";

// OpenSSL's SHA-256 uses the CPU's SHA extensions where they exist, several times
// faster than Poco's portable one, which counts at start-up with plugins of some MiB.
std::string sha256Of(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read plugin copy " + path.string());
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("cannot start a SHA-256 digest for " + path.string());
    }
    std::vector<char> buffer(1 << 16);
    while (file.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
           file.gcount() > 0) {
        EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(file.gcount()));
    }
    if (file.bad()) {
        throw std::runtime_error("cannot read plugin copy " + path.string());
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xF];
    }
    return hex;
}

bool isPluginFile(const fs::directory_entry& entry) {
    std::string name = entry.path().filename().string();
    std::error_code error;
    return entry.is_regular_file(error) && !name.starts_with(".") &&
           entry.path().extension() == ".so";
}

// Rejects a folder or file that other users may write, because anyone who can write
// there can make every worker run their code.
void checkNotWritableByOthers(const fs::path& path, const char* what) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error) {
        return;
    }
    fs::perms permissions = status.permissions();
    // A sticky bit does not help: it stops others from replacing files, not from
    // adding new plugin files.
    if ((permissions & fs::perms::others_write) != fs::perms::none) {
        char mode[8];
        std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(permissions) & 07777);
        throw std::runtime_error(
            std::string(what) + " " + path.string() + " is writable by other users (mode " + mode +
            "), so anyone could replace the code it loads; run chmod o-w " + path.string());
    }
}

std::vector<fs::path> listPluginFiles(const std::string& plugin_directory) {
    std::error_code error;
    fs::directory_iterator iterator(plugin_directory, error);
    if (error) {
        throw std::runtime_error("cannot read plugin folder " + plugin_directory + ": " +
                                 error.message() +
                                 "; set plugins.directory (PLUGIN_DIR) to an existing folder");
    }
    checkNotWritableByOthers(plugin_directory, "plugin folder");
    std::vector<fs::path> files;
    for (const auto& entry : iterator) {
        if (isPluginFile(entry)) {
            checkNotWritableByOthers(entry.path(), "plugin file");
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end(), [](const fs::path& left, const fs::path& right) {
        return left.filename().string() < right.filename().string();
    });
    return files;
}

fs::path makeGenerationDirectory(const std::string& shadow_directory) {
    static std::atomic<int> counter{0};
    fs::create_directories(shadow_directory);
    fs::path directory =
        fs::path(shadow_directory) /
        (std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(directory);
    fs::create_directory(directory);
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace);
    return directory;
}

// Returns the pid encoded in a generation folder name, or 0 when it has none.
pid_t ownerOf(const std::string& name) {
    if (!name.starts_with(kPrefix)) {
        return 0;
    }
    try {
        return static_cast<pid_t>(std::stol(name.substr(kPrefix.size())));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

Generation Generation::create(const std::string& plugin_directory,
                              const std::string& shadow_directory) {
    Generation generation;
    try {
        generation.directory_ = makeGenerationDirectory(shadow_directory).string();
    } catch (const fs::filesystem_error& error) {
        throw std::runtime_error(
            "cannot create a generation folder under " + shadow_directory + ": " +
            error.code().message() +
            "; set plugins.shadow_directory to a writable folder on an executable "
            "file system");
    }

    int index = 0;
    for (const auto& source : listPluginFiles(plugin_directory)) {
        char prefix[16];
        std::snprintf(prefix, sizeof(prefix), "%03d-", index++);
        GenerationFile file;
        file.source_path = source.string();
        file.file_name = source.filename().string();
        file.copy_path = (fs::path(generation.directory_) / (prefix + file.file_name)).string();
        std::error_code error;
        fs::copy_file(source, file.copy_path, fs::copy_options::overwrite_existing, error);
        if (error) {
            throw std::runtime_error("cannot copy plugin " + file.source_path + " to " +
                                     file.copy_path + ": " + error.message());
        }
        file.checksum = sha256Of(file.copy_path);
        generation.files_.push_back(std::move(file));
    }
    generation.writeManifest();
    return generation;
}

Generation Generation::adopt(const std::string& directory) {
    Generation generation;
    std::ifstream manifest(fs::path(directory) / kManifestName);
    if (!manifest) {
        throw std::runtime_error("cannot read the plugin generation manifest in " + directory +
                                 "; the folder was not made by a valhalla supervisor");
    }
    std::string line;
    while (std::getline(manifest, line)) {
        std::istringstream fields(line);
        GenerationFile file;
        std::string copy_name;
        if (std::getline(fields, file.file_name, '\t') &&
            std::getline(fields, file.source_path, '\t') && std::getline(fields, copy_name, '\t') &&
            std::getline(fields, file.checksum)) {
            file.copy_path = (fs::path(directory) / copy_name).string();
            generation.files_.push_back(std::move(file));
        }
    }
    // Adopted folders belong to the supervisor, which removes them.
    generation.directory_ = directory;
    generation.owns_directory_ = false;
    return generation;
}

void Generation::writeManifest() const {
    std::ofstream manifest(fs::path(directory_) / kManifestName);
    for (const auto& file : files_) {
        manifest << file.file_name << '\t' << file.source_path << '\t'
                 << fs::path(file.copy_path).filename().string() << '\t' << file.checksum << '\n';
    }
    if (!manifest) {
        throw std::runtime_error("cannot write the plugin generation manifest in " + directory_);
    }
}

int Generation::removeStale(const std::string& shadow_directory) {
    std::error_code error;
    fs::directory_iterator iterator(shadow_directory, error);
    if (error) {
        return 0;
    }
    int removed = 0;
    for (const auto& entry : iterator) {
        pid_t owner = ownerOf(entry.path().filename().string());
        bool alive = owner > 0 && (::kill(owner, 0) == 0 || errno == EPERM);
        if (owner > 0 && !alive && fs::remove_all(entry.path(), error) > 0) {
            ++removed;
        }
    }
    return removed;
}

Generation::Generation(Generation&& other) noexcept
    : directory_(std::move(other.directory_)),
      files_(std::move(other.files_)),
      owns_directory_(other.owns_directory_) {
    other.directory_.clear();
    other.owns_directory_ = false;
}

Generation::~Generation() {
    if (owns_directory_ && !directory_.empty()) {
        std::error_code error;
        fs::remove_all(directory_, error);
    }
}

}  // namespace valhalla::host::plugin
