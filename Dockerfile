# The LlavaFunctions GPU image: the .NET isolated-worker Functions app built with the CUDA flavour of
# ONNX Runtime GenAI (-p:UseCuda=true, linux-x64 only), on the official Azure Functions .NET 10 isolated base image,
# plus exactly the CUDA 13.1 user-space libraries and cuDNN 9 that the two shipped CUDA libraries link:
#   libonnxruntime_providers_cuda.so (ONNX Runtime GPU): libcudart.so.13, libcublas.so.13, libcublasLt.so.13,
#     libcurand.so.10, libcudnn*.so.9;
#   libonnxruntime-genai-cuda.so (GenAI's own CUDA library): libcudart.so.13, libcufft.so.12 (cuFFT), ...
# GenAI's CUDA package is built against CUDA 13.1, so the image carries 13.1 (minor-version compatible with the
# 13.0 the ONNX Runtime provider was built with).
# The NVIDIA driver (libcuda.so.1) is NOT in the image: the Container Apps GPU host injects it. CUDA 13 needs an
# R580+ driver; the app checks the host's driver at start-up and reports it (docs/deployment.md, "CUDA and the
# driver").
#
# Base OS: the .NET 10 Functions images are not published as Debian images; Microsoft's newer runtime images are
# Ubuntu 24.04 (noble). Rather than trust either, the build reads /etc/os-release of the base image and adds the
# NVIDIA repository for exactly that OS (ubuntu2404 or debian12; anything else fails the build with its name).
# NVIDIA publishes the same package versions in each of those repositories; a pin that is missing fails apt-get.
#
# Built by `azd deploy` (remotely in the registry or with local Docker); it has never been built on the
# machines this repository is developed on (no Docker engine there), so the build-time checks below are what
# catches a wrong package set. Base images are pinned to release tags; pin them to digests for production
# (docker buildx imagetools inspect <image>) with --build-arg.

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.401
ARG FUNCTIONS_IMAGE=mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0

# ---------------------------------------------------------------------------------------------------------------
FROM ${SDK_IMAGE} AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1

COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
# The whole src/ tree is copied (not project files first): the project graph is restored from whatever src/
# holds, so a new project needs no Dockerfile change. Plain RUN (no BuildKit cache mounts) so the same file
# builds locally and with the registry's remote build.
# -r linux-x64 --self-contained false: only the linux-x64 native libraries (no win/osx/arm64 copies of ONNX Runtime),
# on the base image's shared .NET runtime.
RUN dotnet publish src/LlavaFunctions/LlavaFunctions.csproj \
      --configuration Release \
      --runtime linux-x64 \
      --self-contained false \
      -p:UseCuda=true \
      --output /app/publish

# ---------------------------------------------------------------------------------------------------------------
FROM ${FUNCTIONS_IMAGE} AS runtime

# NVIDIA's CUDA network repository for the base image's own OS, packages pinned to CUDA 13.1 Update 1 and cuDNN 9.16.
# Only runtime libraries: no toolkit, no headers, no compiler.
ARG CUDA_REPO_BASE=https://developer.download.nvidia.com/compute/cuda/repos
ARG CUDA_KEYRING=cuda-keyring_1.1-1_all.deb
ARG CUDART_VERSION=13.1.80-1
ARG CUBLAS_VERSION=13.2.2.2-1
ARG CURAND_VERSION=10.4.1.81-1
ARG CUFFT_VERSION=12.1.0.78-1
ARG CUDNN_VERSION=9.16.0.29-1

RUN set -eux; \
    . /etc/os-release; \
    case "${ID}${VERSION_ID}" in \
      ubuntu24.04) cuda_distro=ubuntu2404 ;; \
      debian12) cuda_distro=debian12 ;; \
      *) echo "base image OS '${PRETTY_NAME:-$ID $VERSION_ID}' has no NVIDIA CUDA repository chosen here: add it" >&2; exit 1 ;; \
    esac; \
    echo "base image: ${PRETTY_NAME}; NVIDIA repository: ${cuda_distro}"; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    curl -fsSLo "/tmp/${CUDA_KEYRING}" "${CUDA_REPO_BASE}/${cuda_distro}/x86_64/${CUDA_KEYRING}"; \
    dpkg -i "/tmp/${CUDA_KEYRING}"; \
    rm "/tmp/${CUDA_KEYRING}"; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      "cuda-cudart-13-1=${CUDART_VERSION}" \
      "libcublas-13-1=${CUBLAS_VERSION}" \
      "libcurand-13-1=${CURAND_VERSION}" \
      "libcufft-13-1=${CUFFT_VERSION}" \
      "libcudnn9-cuda-13=${CUDNN_VERSION}"; \
    apt-mark hold cuda-cudart-13-1 libcublas-13-1 libcurand-13-1 libcufft-13-1 libcudnn9-cuda-13; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*; \
    echo /usr/local/cuda-13.1/targets/x86_64-linux/lib > /etc/ld.so.conf.d/cuda-13-1.conf; \
    ldconfig

# /usr/local/nvidia/lib64 is where GPU hosts may mount the driver's libcuda.so.1; the CUDA runtime libraries
# live under /usr/local/cuda-13.1 (cuDNN goes to /usr/lib/x86_64-linux-gnu, already on the loader path).
ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/cuda-13.1/targets/x86_64-linux/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

COPY --from=build /app/publish /home/site/wwwroot

# Build-time proof that every CUDA library the app loads has its dependencies in the image: ONNX Runtime's CUDA
# provider and GenAI's own CUDA library must both be published, and every CUDA/cuDNN library they need must
# resolve, except the driver (libcuda.so.1, libnvidia-*), which only the GPU host provides.
RUN set -eu; \
    for name in libonnxruntime_providers_cuda.so libonnxruntime-genai-cuda.so; do \
      lib="$(find /home/site/wwwroot -name "$name" | head -n 1)"; \
      test -n "$lib" || { echo "$name not published: was -p:UseCuda=true honoured?" >&2; exit 1; }; \
      missing="$(ldd "$lib" | grep 'not found' | grep -E 'libcu|libnv' | grep -v -E 'libcuda\.so\.1|libnvidia-' || true)"; \
      if [ -n "$missing" ]; then echo "unresolved CUDA dependencies of $lib:" >&2; echo "$missing" >&2; exit 1; fi; \
      echo "ok: $lib"; \
    done; \
    for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcufft.so.12 libcudnn.so.9; do \
      ldconfig -p | grep -q "$lib" || { echo "$lib missing" >&2; exit 1; }; \
    done

# Run as the unprivileged 'app' user (uid 1654) of the .NET base images instead of root. Port 80 needs root, so
# the host listens on 8080 (the container app's ingress targets 8080). The app's code stays root-owned and
# read-only; the host's scratch folders under /home and the model download folder belong to the app user.
ARG APP_UID=1654
RUN set -eux; \
    mkdir -p /home/LogFiles /home/data /home/ASP.NET /home/llava/models; \
    chown "${APP_UID}:${APP_UID}" /home; \
    chown -R "${APP_UID}:${APP_UID}" /home/LogFiles /home/data /home/ASP.NET /home/llava

ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    ASPNETCORE_URLS=http://+:8080 \
    HOME=/home

EXPOSE 8080
USER ${APP_UID}
