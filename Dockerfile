# One image for every hybridflow component; the command picks which one runs (see docker-compose.yml).
# Debian-based on purpose: Temporal's core bridge ships glibc builds only (no Alpine/musl).
FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HF_HOST=0.0.0.0 HF_DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["node", "bin/hybridflow.js"]
