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
# $ErrorActionPreference does not cover native programs: every exit code is checked.
function Check([string]$What) { if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE" } }
function Msiexec([string[]]$Arguments) {
    $Process = Start-Process msiexec -ArgumentList $Arguments -Wait -PassThru
    if ($Process.ExitCode -ne 0) { throw "msiexec $($Arguments -join ' ') failed with exit code $($Process.ExitCode)" }
}
$Version = python -c "import app; print(app.__version__)"; Check "reading the version"
python -m PyInstaller --noconfirm --distpath build\dist --workpath build\pyi installers\hearth.spec; Check "PyInstaller"
if (-not (Get-Command wix -ErrorAction SilentlyContinue)) { dotnet tool install --global wix --version 5.*; Check "installing WiX" }
$Suffix = if ($Cuda) { "-cuda" } else { "" }
$Msi = "build\Hearth-$Version-x64$Suffix.msi"
wix build installers\windows\hearth.wxs -arch x64 -d SourceDir=build\dist\hearth -d Version=$Version `
    -d PolicyExample=installers\policy.example.toml -o $Msi; Check "wix build"
# Smoke test: install silently into this runner, run the CLI, check the windowed entry exists, uninstall.
Msiexec @("/i", $Msi, "/qn", "ALLUSERS=1")
& "$env:ProgramFiles\Hearth\hearth.exe" --version; Check "hearth --version"
& "$env:ProgramFiles\Hearth\hearth.exe" --backend; Check "hearth --backend"
if (-not (Test-Path "$env:ProgramFiles\Hearth\Hearth.exe")) { throw "the windowed Hearth.exe is missing" }
Msiexec @("/x", $Msi, "/qn")
Write-Output $Msi
