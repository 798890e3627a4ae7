# Build the Windows MSI: PyInstaller folder -> WiX v5 package (per-machine, silent-capable).
#   powershell -ExecutionPolicy Bypass -File installers\windows\build-msi.ps1 [-Cuda]
# Needs: Python 3.11 with the project installed (pip install -e .[dev]), the .NET SDK (for `dotnet tool install
# --global wix`), and for -Cuda the CUDA toolkit (llama-cpp-python is rebuilt with GGML_CUDA=on; the CUDA
# runtime DLLs are collected by PyInstaller from the toolkit's bin folder).
param([switch]$Cuda)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $Root
if ($Cuda) {
    $env:CMAKE_ARGS = "-DGGML_CUDA=on"
    python -m pip install --force-reinstall --no-cache-dir llama-cpp-python
}
$Version = python -c "import app; print(app.__version__)"
python -m PyInstaller --noconfirm --distpath build\dist --workpath build\pyi installers\hearth.spec
if (-not (Get-Command wix -ErrorAction SilentlyContinue)) { dotnet tool install --global wix --version 5.* }
$Suffix = if ($Cuda) { "-cuda" } else { "" }
$Msi = "build\Hearth-$Version-x64$Suffix.msi"
wix build installers\windows\hearth.wxs -arch x64 -d SourceDir=build\dist\hearth -d Version=$Version `
    -d PolicyExample=installers\policy.example.toml -o $Msi
# Smoke test: install silently into this runner, run the CLI, uninstall.
Start-Process msiexec -ArgumentList "/i", $Msi, "/qn", "ALLUSERS=1" -Wait
& "$env:ProgramFiles\Hearth\hearth.exe" --version
& "$env:ProgramFiles\Hearth\hearth.exe" --backend
Start-Process msiexec -ArgumentList "/x", $Msi, "/qn" -Wait
Write-Output $Msi
