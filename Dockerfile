# EcomOps dashboard, with the CLI beside it. Build:  docker build -t ecomops .
# Run:    docker run -p 8080:8080 -v ecomops-data:/data ecomops   then open http://localhost:8080
# CLI:    docker run --rm -v ecomops-data:/data --entrypoint ecomops ecomops check     (or aws deploy-script, pipeline run, ...)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY EcomOps.Core/EcomOps.Core.csproj EcomOps.Core/
COPY EcomOps.Web/EcomOps.Web.csproj EcomOps.Web/
COPY EcomOps.Cli/EcomOps.Cli.csproj EcomOps.Cli/
RUN dotnet restore EcomOps.Web/EcomOps.Web.csproj && dotnet restore EcomOps.Cli/EcomOps.Cli.csproj
COPY EcomOps.Core/ EcomOps.Core/
COPY EcomOps.Web/ EcomOps.Web/
COPY EcomOps.Cli/ EcomOps.Cli/
COPY sample_data/ sample_data/
COPY sql/ sql/
COPY etl/ etl/
RUN dotnet publish EcomOps.Web/EcomOps.Web.csproj -c Release --no-restore -o /app \
    && dotnet publish EcomOps.Cli/EcomOps.Cli.csproj -c Release --no-restore -o /app/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl only serves the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown "$APP_UID" /data \
    && ln -s /app/cli/ecomops /usr/local/bin/ecomops
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    EcomOps__DataRoot=/data
VOLUME /data
EXPOSE 8080
# The image's non-root 'app' user.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent http://localhost:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "EcomOps.Web.dll"]
