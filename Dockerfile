# The LlavaFunctions GPU image: the .NET isolated-worker Functions app built with the CUDA flavour of
# ONNX Runtime GenAI (-p:UseCuda=true), on the official Azure Functions .NET 10 isolated base image (Debian 12,
# amd64), plus exactly the CUDA 13 user-space libraries and cuDNN 9 that the shipped ONNX Runtime GPU provider
# (Microsoft.ML.OnnxRuntime.Gpu 1.31, libonnxruntime_providers_cuda.so) links:
#   libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10 (+ libcudnn*.so.9).
# The NVIDIA driver (libcuda.so.1) is NOT in the image: the Container Apps GPU host injects it. CUDA 13 needs
# driver >= 580; see docs/deployment.md ("CUDA and driver") for what happens on an older host driver.
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
RUN dotnet publish src/LlavaFunctions/LlavaFunctions.csproj \
      --configuration Release \
      -p:UseCuda=true \
      --output /app/publish

# ---------------------------------------------------------------------------------------------------------------
FROM ${FUNCTIONS_IMAGE} AS runtime

# NVIDIA's CUDA network repository for Debian 12, packages pinned to CUDA 13.0 Update 2 and cuDNN 9.13.
# Only runtime libraries: no toolkit, no headers, no compiler.
ARG CUDA_REPO=https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64
ARG CUDA_KEYRING=cuda-keyring_1.1-1_all.deb
ARG CUDART_VERSION=13.0.96-1
ARG CUBLAS_VERSION=13.1.0.3-1
ARG CURAND_VERSION=10.4.0.35-1
ARG CUDNN_VERSION=9.13.0.50-1

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    curl -fsSLo "/tmp/${CUDA_KEYRING}" "${CUDA_REPO}/${CUDA_KEYRING}"; \
    dpkg -i "/tmp/${CUDA_KEYRING}"; \
    rm "/tmp/${CUDA_KEYRING}"; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      "cuda-cudart-13-0=${CUDART_VERSION}" \
      "libcublas-13-0=${CUBLAS_VERSION}" \
      "libcurand-13-0=${CURAND_VERSION}" \
      "libcudnn9-cuda-13=${CUDNN_VERSION}"; \
    apt-mark hold cuda-cudart-13-0 libcublas-13-0 libcurand-13-0 libcudnn9-cuda-13; \
    apt-get purge -y --auto-remove curl; \
    rm -rf /var/lib/apt/lists/*; \
    ldconfig

# /usr/local/nvidia/lib64 is where GPU hosts may mount the driver's libcuda.so.1; the CUDA runtime libraries
# live under /usr/local/cuda-13.0 (cuDNN goes to /usr/lib/x86_64-linux-gnu, already on the loader path).
ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/cuda-13.0/targets/x86_64-linux/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

COPY --from=build /app/publish /home/site/wwwroot

# Build-time proof that the provider's CUDA dependencies are all in the image: every CUDA/cuDNN library
# libonnxruntime_providers_cuda.so needs must resolve, except the driver, which only the GPU host provides.
RUN set -eu; \
    provider="$(find /home/site/wwwroot -name libonnxruntime_providers_cuda.so | head -n 1)"; \
    test -n "$provider" || { echo "libonnxruntime_providers_cuda.so not published: was -p:UseCuda=true honoured?" >&2; exit 1; }; \
    missing="$(ldd "$provider" | grep 'not found' | grep -E 'libcu|libnv' | grep -v -E 'libcuda\.so\.1|libnvidia-' || true)"; \
    if [ -n "$missing" ]; then echo "unresolved CUDA dependencies of $provider:" >&2; echo "$missing" >&2; exit 1; fi; \
    for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9; do \
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
