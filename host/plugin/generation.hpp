#pragma once

#include <string>
#include <vector>

namespace valhalla::host::plugin {

/// One plugin file of a generation.
struct GenerationFile {
    /// The file in the watched plugin folder.
    std::string source_path;
    /// File name in the plugin folder, such as `items.so`.
    std::string file_name;
    /// The private copy that is loaded.
    std::string copy_path;
    /// SHA-256 of the copy, in hexadecimal.
    std::string checksum;
};

/// A private copy of the plugin folder's `*.so` files, made so that replacing or
/// deleting a file in the watched folder never touches code a process has mapped.
/// A manifest in the folder lists each file with its source and SHA-256. The folder
/// is removed when the Generation that created it is destroyed.
class Generation {
public:
    /// Copies every regular `*.so` file whose name does not start with '.' from
    /// `plugin_directory`, in file-name order, into a new folder under
    /// `shadow_directory` (created with mode 0700). Throws std::runtime_error naming
    /// the folder or file when it cannot be read or written, or when other users
    /// may write the plugin folder or a plugin file.
    static Generation create(const std::string& plugin_directory,
                             const std::string& shadow_directory);

    /// Opens a generation folder that a supervisor created, from its manifest. The
    /// folder is not removed when this object is destroyed. Throws
    /// std::runtime_error when the manifest cannot be read.
    static Generation adopt(const std::string& directory);

    /// Removes generation folders under `shadow_directory` left by processes that
    /// no longer run. Returns how many were removed.
    static int removeStale(const std::string& shadow_directory);

    Generation(Generation&& other) noexcept;
    Generation& operator=(Generation&&) = delete;
    Generation(const Generation&) = delete;
    Generation& operator=(const Generation&) = delete;
    ~Generation();

    /// The private folder.
    const std::string& directory() const { return directory_; }

    /// The copied files in load order.
    const std::vector<GenerationFile>& files() const { return files_; }

private:
    Generation() = default;
    void writeManifest() const;

    std::string directory_;
    std::vector<GenerationFile> files_;
    bool owns_directory_ = true;
};

}  // namespace valhalla::host::plugin
